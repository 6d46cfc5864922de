// Adversarial suite, part 4: escape attempts (nested namespaces, mounts, capabilities, ptrace,
// kernel attack surface), at standard and strict.
import { describe, expect, test } from "bun:test";
import { LEVELS, bwrapExecutor, useFakeHost } from "./bwrap-helpers.ts";

// errno of a raw syscall, printed as "name=<errno>" (0 = it worked)
const pySyscalls = `python3 -c '
import ctypes, os
libc = ctypes.CDLL(None, use_errno=True)
def call(name, nr, *args):
    r = libc.syscall(nr, *args)
    print(name + "=" + str(0 if r >= 0 else ctypes.get_errno()))
call("io_uring_setup", 425, 8, ctypes.byref(ctypes.create_string_buffer(120)))
call("bpf", 321, 0, 0, 0)
call("perf_event_open", 298, 0, 0, -1, -1, 0)
call("keyctl", 250, 0, 0, 0, 0, 0)
call("ptrace_attach", 101, 16, 1, 0, 0)
call("unshare_net", 272, 0x40000000)
'`;

useFakeHost();

for (const level of LEVELS) {
  describe(`escape attempts at ${level}`, () => {
    const ex = bwrapExecutor(level);

    test("nested user namespaces, unshare and mount are denied", async () => {
      const r = await ex.exec({ command: "unshare -Ur id && echo USERNS-OK; unshare -m true && echo MOUNTNS-OK; mount -t tmpfs none /tmp && echo MOUNT-OK; echo end" });
      expect(r.stdout).toBe("end\n");
      expect(r.stderr).toMatch(/unshare failed: (No space left on device|Operation not permitted)/);
      expect(r.stderr).toMatch(/mount: .*(permission denied|Operation not permitted|must be superuser)/i);
    });

    test("no capabilities at all inside", async () => {
      const r = await ex.exec({ command: "grep -E '^Cap(Eff|Prm|Bnd|Amb)' /proc/self/status" });
      for (const line of r.stdout.trim().split("\n")) expect(line).toMatch(/:\s+0{16}$/);
      expect(r.stdout.trim().split("\n")).toHaveLength(4);
    });

    test("the gateway and a concurrent exec cannot be seen, so cannot be traced", async () => {
      const m = `ocmark_peer_${process.pid}_${level}`;
      const peer = ex.exec({ command: `sh -c 'sleep 1' ${m}`, timeoutMs: 5000 });
      await new Promise((r) => setTimeout(r, 300));
      const r = await ex.exec({ command: `cat /proc/*/cmdline 2>/dev/null | tr '\\0' ' '; echo; strace -p ${process.pid} 2>&1; kill -0 ${process.pid} 2>&1; ls /proc | grep -cE '^[0-9]+$'` });
      await peer;
      expect(r.stdout).not.toContain(m);
      expect(r.stdout).toMatch(/No such process/);
      expect(Number(r.stdout.trim().split("\n").pop())).toBeLessThan(10); // only the sandbox's own few processes
    });
  });
}

describe("strict only: the seccomp layer", () => {
  const strict = bwrapExecutor("strict");
  const standard = bwrapExecutor("standard");

  test("ptrace of a sibling inside the sandbox is denied at strict (allowed at standard, within the same sandbox)", async () => {
    const cmd = "sleep 3 & P=$!; timeout 1 strace -p $P -e trace=none 2>&1; kill $P";
    const s = await strict.exec({ command: cmd });
    expect(s.stdout).toContain("Operation not permitted");
    const d = await standard.exec({ command: cmd });
    expect(d.stdout).toContain("attached");
  });

  test("netlink and raw sockets are denied at strict", async () => {
    const r = await strict.exec({ command: "ip link 2>&1; ip addr 2>&1; echo end" });
    expect(r.stdout).toContain("end");
    expect(r.stdout).not.toContain("LOOPBACK");
    const d = await standard.exec({ command: "ip link 2>&1" });
    expect(d.stdout).toContain("LOOPBACK"); // the same command works without the filter
  });

  test("io_uring, bpf, perf_event_open, keyctl, ptrace and unshare fail with EPERM at strict", async () => {
    const r = await strict.exec({ command: pySyscalls });
    expect(r.stdout.trim().split("\n").sort()).toEqual(
      ["bpf=1", "io_uring_setup=1", "keyctl=1", "perf_event_open=1", "ptrace_attach=1", "unshare_net=1"].sort(),
    );
  });
});

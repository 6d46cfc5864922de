// The strict seccomp program, checked two ways: a small classic-BPF interpreter runs it against a
// table of syscalls (every branch, both arches), and the encoded bytes match the instructions.
import { describe, expect, test } from "bun:test";
import { archTable, buildSeccompFilter, DENIED_SYSCALLS, SECCOMP_RET_ALLOW, SECCOMP_RET_ERRNO, SECCOMP_RET_KILL_PROCESS, seccompProgram, type Insn } from "../../src/sandbox/seccomp.ts";

/** Runs a classic-BPF program over a `struct seccomp_data` (nr, arch, args as low 32 bits). */
function run(prog: Insn[], data: { nr: number; arch: number; args?: number[] }): number {
  const word = (off: number): number => {
    if (off === 0) return data.nr >>> 0;
    if (off === 4) return data.arch >>> 0;
    if (off >= 16 && (off - 16) % 8 === 0) return (data.args?.[(off - 16) / 8] ?? 0) >>> 0;
    throw new Error(`unexpected load offset ${off}`);
  };
  let a = 0;
  for (let pc = 0, steps = 0; pc < prog.length && steps < 1000; steps++) {
    const [code, jt, jf, k] = prog[pc]!;
    switch (code) {
      case 0x20: a = word(k); pc++; break;
      case 0x54: a = (a & k) >>> 0; pc++; break;
      case 0x15: pc += 1 + (a === k ? jt : jf); break;
      case 0x35: pc += 1 + (a >= k ? jt : jf); break;
      case 0x45: pc += 1 + ((a & k) !== 0 ? jt : jf); break;
      case 0x06: return k >>> 0;
      default: throw new Error(`unknown opcode ${code}`);
    }
  }
  throw new Error("program fell off the end");
}

const EPERM = (SECCOMP_RET_ERRNO | 1) >>> 0;
const ENOSYS = (SECCOMP_RET_ERRNO | 38) >>> 0;

for (const arch of ["x64", "arm64"] as const) {
  describe(`seccomp program on ${arch}`, () => {
    const t = archTable(arch)!;
    const prog = seccompProgram(arch)!;
    const call = (nr: number, args: number[] = []) => run(prog, { nr, arch: t.audit, args });

    test("every denied syscall returns EPERM", () => {
      for (const name of DENIED_SYSCALLS) expect({ name, ret: call(t.nr[name]) }).toEqual({ name, ret: EPERM });
    });

    test("ordinary syscalls are allowed", () => {
      for (const nr of [0, 1, 2, 3, 9, 59, 60, 231]) expect(call(nr)).toBe(SECCOMP_RET_ALLOW);
    });

    test("socket: netlink, packet and raw are denied; inet/unix stream and dgram allowed", () => {
      expect(call(t.nr.socket, [16, 3])).toBe(EPERM); // AF_NETLINK
      expect(call(t.nr.socket, [16, 2])).toBe(EPERM);
      expect(call(t.nr.socket, [17, 2])).toBe(EPERM); // AF_PACKET
      expect(call(t.nr.socket, [2, 3])).toBe(EPERM); // AF_INET, SOCK_RAW
      expect(call(t.nr.socket, [10, 3 | 0x80000])).toBe(EPERM); // AF_INET6, SOCK_RAW|SOCK_CLOEXEC
      expect(call(t.nr.socket, [2, 1])).toBe(SECCOMP_RET_ALLOW);
      expect(call(t.nr.socket, [2, 2 | 0x800])).toBe(SECCOMP_RET_ALLOW);
      expect(call(t.nr.socket, [1, 1])).toBe(SECCOMP_RET_ALLOW);
    });

    test("clone with a namespace flag is denied, a plain fork/thread clone allowed; clone3 gets ENOSYS", () => {
      expect(call(t.nr.clone, [0x10000000 | 17])).toBe(EPERM); // CLONE_NEWUSER
      expect(call(t.nr.clone, [0x20000000])).toBe(EPERM); // CLONE_NEWPID
      expect(call(t.nr.clone, [0x40000000])).toBe(EPERM); // CLONE_NEWNET
      expect(call(t.nr.clone, [17])).toBe(SECCOMP_RET_ALLOW); // fork: SIGCHLD
      expect(call(t.nr.clone, [0x3d0f00])).toBe(SECCOMP_RET_ALLOW); // pthread_create flags
      expect(call(t.nr.clone3)).toBe(ENOSYS);
    });

    test("another architecture's syscall table kills the process", () => {
      expect(run(prog, { nr: t.nr.ptrace, arch: 0x40000003 })).toBe(SECCOMP_RET_KILL_PROCESS); // i386
      expect(run(prog, { nr: 1, arch: arch === "x64" ? 0xc00000b7 : 0xc000003e })).toBe(SECCOMP_RET_KILL_PROCESS);
    });

    if (arch === "x64") {
      test("x32 syscall numbers are killed", () => {
        expect(call(0x40000000 + 101)).toBe(SECCOMP_RET_KILL_PROCESS);
      });
    }

    test("the bytes encode the instructions (8 bytes each, little-endian)", () => {
      const bytes = buildSeccompFilter(arch)!;
      expect(bytes.length).toBe(prog.length * 8);
      const view = new DataView(bytes.buffer);
      prog.forEach(([code, jt, jf, k], i) => {
        expect([view.getUint16(i * 8, true), view.getUint8(i * 8 + 2), view.getUint8(i * 8 + 3), view.getUint32(i * 8 + 4, true)]).toEqual([code, jt, jf, k]);
      });
    });
  });
}

test("unsupported architectures get no filter (the probe reports it)", () => {
  expect(seccompProgram("riscv64")).toBeNull();
  expect(buildSeccompFilter("ia32")).toBeNull();
});

// The bwrap command line: the flags each level promises, and no environment value in argv.
import { describe, expect, test } from "bun:test";
import { bwrapArgs, type BwrapPlan } from "../../src/sandbox/bwrap-args.ts";
import type { HostKind, HostView } from "../../src/sandbox/host-view.ts";

/** A host that has exactly `paths` (a pure view: the machine's own ~/.openclaw does not matter). */
function fakeView(paths: Record<string, HostKind>): HostView {
  return {
    kind: (p) => paths[p] ?? null,
    owner: () => 0,
    realpath: (p) => (paths[p] ? p : null),
    readlink: () => null,
    readdir: () => [],
    readText: () => null,
  };
}
const HOST = fakeView({ "/root": "dir", "/home": "dir", "/run": "dir", "/usr": "dir", "/root/.openclaw": "dir", "/etc/shadow": "file" });

const plan = (over: Partial<BwrapPlan> = {}): BwrapPlan => ({
  level: "standard",
  networkAccess: false,
  allowedPaths: ["/srv/ws/deeper", "/srv/ws"],
  home: "/root",
  stateDir: "/root/.openclaw",
  cwd: "/srv/ws",
  tmpfsBytes: 1 << 20,
  command: ["/bin/sh", "-c", "echo hi"],
  host: HOST,
  ...over,
});
const pairs = (a: string[], flag: string) => a.flatMap((x, i) => (x === flag ? [a[i + 1]] : []));

describe("bwrapArgs", () => {
  test("namespaces, no nested userns, no caps, die with parent, new session; no network unless asked", () => {
    const a = bwrapArgs(plan());
    for (const f of ["--unshare-all", "--unshare-user", "--disable-userns", "--die-with-parent", "--new-session"]) expect(a).toContain(f);
    expect(pairs(a, "--cap-drop")).toEqual(["ALL"]);
    expect(a).not.toContain("--share-net");
    expect(bwrapArgs(plan({ networkAccess: true }))).toContain("--share-net");
  });

  test("allowed paths bound read-write parent first, each mount after its parents; cwd and command last", () => {
    const a = bwrapArgs(plan({ home: "/srv", stateDir: "/srv/state" }));
    expect(pairs(a, "--bind")).toEqual(["/srv/ws", "/srv/ws/deeper"]);
    expect(a.lastIndexOf("/srv")).toBeLessThan(a.indexOf("--bind")); // the $HOME tmpfs before the binds below it
    expect(pairs(a, "--chdir")).toEqual(["/srv/ws"]);
    expect(a.slice(a.indexOf("--") + 1)).toEqual(["/bin/sh", "-c", "echo hi"]);
  });

  test("standard: read-only host root, secrets masked, every writable tmpfs size-capped", () => {
    const a = bwrapArgs(plan());
    expect(a.slice(a.indexOf("--ro-bind"), a.indexOf("--ro-bind") + 3)).toEqual(["--ro-bind", "/", "/"]);
    expect(pairs(a, "--tmpfs")).toEqual(expect.arrayContaining(["/tmp", "/dev/shm", "/root", "/root/.openclaw"]));
    expect(pairs(a, "--ro-bind")).toContain("/dev/null");
    a.forEach((x, i) => {
      if (x === "--tmpfs") expect(a[i - 2]).toBe("--size");
    });
    expect(pairs(a, "--remount-ro")).toContain("/dev");
  });

  test("strict: no host root, only system folders, a read-only root, seccomp fd", () => {
    const a = bwrapArgs(plan({ level: "strict", seccompFd: 3 }));
    const roBinds = pairs(a, "--ro-bind");
    expect(roBinds).not.toContain("/");
    expect(roBinds).toContain("/usr");
    expect(roBinds).not.toContain("/etc/shadow");
    expect(pairs(a, "--remount-ro")).toContain("/");
    expect(pairs(a, "--seccomp")).toEqual(["3"]);
    expect(pairs(a, "--tmpfs")).toContain("/root"); // $HOME exists inside, empty
  });

  test("standard: a state dir the host lacks gets no mount point (the ro root could not hold one)", () => {
    const a = bwrapArgs(plan({ home: "/nohome", stateDir: "/opt/oc-state", host: fakeView({ "/usr": "dir" }) }));
    expect(pairs(a, "--tmpfs")).not.toContain("/opt/oc-state");
    expect(pairs(a, "--tmpfs")).not.toContain("/nohome");
    expect(pairs(bwrapArgs(plan({ level: "strict", home: "/nohome", host: fakeView({}) })), "--tmpfs")).toContain("/nohome");
  });

  test("masks: secret files get /dev/null and folders a tmpfs where visible, after the bind that exposes them", () => {
    const host = fakeView({
      "/usr": "dir", "/root": "dir", "/opt/oc/openclaw.json": "file", "/opt/other-state": "dir", "/srv/ws/token.txt": "file",
      "/var/run.sock": "socket", "/root/hidden.json": "file", "/usr/share/x": "file",
    });
    const masks = ["/opt/oc/openclaw.json", "/opt/other-state", "/srv/ws/token.txt", "/var/run.sock", "/root/hidden.json", "/missing/file"];
    const a = bwrapArgs(plan({ masks, host }));
    const nulls = a.flatMap((x, i) => (x === "--ro-bind" && a[i + 1] === "/dev/null" ? [a[i + 2]] : []));
    expect(nulls).toEqual(expect.arrayContaining(["/opt/oc/openclaw.json", "/srv/ws/token.txt", "/var/run.sock"]));
    expect(nulls).not.toContain("/root/hidden.json"); // already under the /root tmpfs
    expect(nulls).not.toContain("/missing/file");
    expect(pairs(a, "--tmpfs")).toContain("/opt/other-state");
    expect(a.lastIndexOf("/srv/ws/token.txt")).toBeGreaterThan(a.indexOf("--bind"));
    // strict: only what an allowed path exposes needs a mask
    const s = bwrapArgs(plan({ level: "strict", masks, host }));
    const sNulls = s.flatMap((x, i) => (x === "--ro-bind" && s[i + 1] === "/dev/null" ? [s[i + 2]] : []));
    expect(sNulls).toEqual(["/srv/ws/token.txt"]);
  });

  test("masks: a secret inside a read-only bind under a hidden root (/tmp, $HOME) is still masked", () => {
    // e.g. a plugin runner started from a checkout in /tmp: the bind re-exposes what the /tmp tmpfs hid
    const host = fakeView({ "/root": "dir", "/tmp/co": "dir", "/tmp/co/.tmp/openclaw.json": "file", "/root/src/app/token": "file", "/tmp/elsewhere.json": "file" });
    const masks = ["/tmp/co/.tmp/openclaw.json", "/root/src/app/token", "/tmp/elsewhere.json"];
    for (const level of ["standard", "strict"] as const) {
      const a = bwrapArgs(plan({ level, masks, host, roBinds: [["/tmp/co", "/tmp/co"], ["/root/src/app", "/root/src/app"]] }));
      const nulls = a.flatMap((x, i) => (x === "--ro-bind" && a[i + 1] === "/dev/null" ? [a[i + 2]] : []));
      expect(nulls).toEqual(expect.arrayContaining(["/tmp/co/.tmp/openclaw.json", "/root/src/app/token"]));
      expect(nulls).not.toContain("/tmp/elsewhere.json"); // still under the /tmp tmpfs
      expect(a.lastIndexOf("/tmp/co/.tmp/openclaw.json")).toBeGreaterThan(a.indexOf("/tmp/co"));
    }
  });

  test("no --setenv: values never reach argv (world-readable in /proc)", () => {
    const a = bwrapArgs(plan({ networkAccess: true, level: "strict" }));
    expect(a).not.toContain("--setenv");
  });
});

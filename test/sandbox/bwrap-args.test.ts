// The bwrap command line: the flags each level promises, and no environment value in argv.
import { describe, expect, test } from "bun:test";
import { bwrapArgs, type BwrapPlan } from "../../src/sandbox/bwrap-args.ts";

const plan = (over: Partial<BwrapPlan> = {}): BwrapPlan => ({
  level: "standard",
  networkAccess: false,
  allowedPaths: ["/srv/ws/deeper", "/srv/ws"],
  home: "/root",
  stateDir: "/root/.openclaw",
  cwd: "/srv/ws",
  tmpfsBytes: 1 << 20,
  command: ["/bin/sh", "-c", "echo hi"],
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

  test("allowed paths bound read-write parent first, after the tmpfs masks; cwd and command last", () => {
    const a = bwrapArgs(plan());
    expect(pairs(a, "--bind")).toEqual(["/srv/ws", "/srv/ws/deeper"]);
    expect(a.lastIndexOf("--tmpfs")).toBeLessThan(a.indexOf("--bind"));
    expect(pairs(a, "--chdir")).toEqual(["/srv/ws"]);
    expect(a.slice(a.indexOf("--") + 1)).toEqual(["/bin/sh", "-c", "echo hi"]);
  });

  test("standard: read-only host root, secrets masked, every writable tmpfs size-capped", () => {
    const a = bwrapArgs(plan());
    expect(a.slice(a.indexOf("--ro-bind"), a.indexOf("--ro-bind") + 3)).toEqual(["--ro-bind", "/", "/"]);
    expect(pairs(a, "--tmpfs")).toEqual(expect.arrayContaining(["/tmp", "/dev/shm", "/root", "/root/.openclaw"].filter(Boolean)));
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

  test("no --setenv: values never reach argv (world-readable in /proc)", () => {
    const a = bwrapArgs(plan({ networkAccess: true, level: "strict" }));
    expect(a).not.toContain("--setenv");
  });
});

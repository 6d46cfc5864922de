import { afterAll, beforeEach, describe, expect, mock, test } from "bun:test";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, renameSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { NotFoundError, PayloadTooLargeError } from "../../src/core/errors.ts";
import { PathEscapeError, type SandboxFs } from "../../src/sandbox/executor.ts";
import { createSandboxFs } from "../../src/sandbox/fs.ts";
import * as resolveMod from "../../src/sandbox/fs-resolve.ts";

// A seam for the TOCTOU cases: run `afterResolve` right after the real path was resolved and
// checked by the policy, before anything is opened.
let afterResolve: ((real: string) => void) | undefined;
const realResolveLoose = resolveMod.resolveLoose;
mock.module("../../src/sandbox/fs-resolve.ts", () => ({
  ...resolveMod,
  resolveLoose: async (abs: string) => {
    const real = await realResolveLoose(abs);
    afterResolve?.(real);
    return real;
  },
}));

const base = realpathSync(mkdtempSync(join(tmpdir(), "sbfs-")));
afterAll(() => rmSync(base, { recursive: true, force: true }));
let n = 0;
let ws: string;
let outside: string;
let fs: SandboxFs;
const text = (b: Uint8Array) => new TextDecoder().decode(b);

beforeEach(() => {
  const dir = join(base, `t${n++}`);
  ws = join(dir, "workspace");
  outside = join(dir, "outside");
  mkdirSync(ws, { recursive: true });
  mkdirSync(outside);
  writeFileSync(join(outside, "secret"), "TOP SECRET");
  writeFileSync(join(ws, "hello.txt"), "hi");
  fs = createSandboxFs({ root: ws });
});

async function refused(p: Promise<unknown>, msg: RegExp = /escapes the workspace/) {
  const err = await p.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(PathEscapeError);
  expect((err as Error).message).toMatch(msg);
}

describe("inside the workspace", () => {
  test("reads and writes relative and absolute paths", async () => {
    expect(text(await fs.readFile("hello.txt"))).toBe("hi");
    expect(text(await fs.readFile(join(ws, "hello.txt")))).toBe("hi");
    await fs.writeFile("a/b/c.txt", "deep");
    expect(readFileSync(join(ws, "a/b/c.txt"), "utf8")).toBe("deep");
    expect(await fs.resolve("a/../hello.txt")).toBe(join(ws, "hello.txt"));
  });

  test("overwrite keeps the file mode and leaves no temp file", async () => {
    writeFileSync(join(ws, "run.sh"), "old");
    chmodSync(join(ws, "run.sh"), 0o755);
    await fs.writeFile("run.sh", "new");
    expect(readFileSync(join(ws, "run.sh"), "utf8")).toBe("new");
    expect(statSync(join(ws, "run.sh")).mode & 0o777).toBe(0o755);
    expect((await fs.list(".")).map((e) => e.path)).toEqual(["hello.txt", "run.sh"]);
  });

  test("a symlink pointing inside is followed", async () => {
    symlinkSync(join(ws, "hello.txt"), join(ws, "alias"));
    expect(text(await fs.readFile("alias"))).toBe("hi");
    await fs.writeFile("alias", "via link");
    expect(readFileSync(join(ws, "hello.txt"), "utf8")).toBe("via link");
  });

  test("stat, list and walk", async () => {
    await fs.writeFile("d/x.ts", "1");
    await fs.writeFile("d/e/y.ts", "22");
    await fs.writeFile("node_modules/m/z.ts", "3");
    expect(await fs.stat("nope")).toBeNull();
    expect(await fs.stat("d/e/y.ts")).toMatchObject({ path: "d/e/y.ts", type: "file", size: 2 });
    expect((await fs.stat("."))?.type).toBe("dir");
    const listed = await fs.list("d");
    expect(listed.map((e) => [e.path, e.type])).toEqual([["d/e", "dir"], ["d/x.ts", "file"]]);
    const walked: string[] = [];
    for await (const e of fs.walk(".", { skipDirs: ["node_modules"] })) walked.push(e.path);
    expect(walked).toEqual(["d", "d/e", "d/e/y.ts", "d/x.ts", "hello.txt", "node_modules"]);
    const limited: string[] = [];
    for await (const e of fs.walk(".", { limit: 2 })) limited.push(e.path);
    expect(limited.length).toBe(2);
  });

  test("errors say what to do", async () => {
    await expect(fs.readFile("missing.txt")).rejects.toThrow(NotFoundError);
    await expect(fs.readFile("missing.txt")).rejects.toThrow(/file not found: missing.txt/);
    mkdirSync(join(ws, "adir"));
    await expect(fs.readFile("adir")).rejects.toThrow(/is a directory; use ls/);
    await expect(fs.writeFile("adir", "x")).rejects.toThrow(/is a directory/);
    await expect(fs.readFile("hello.txt", { maxBytes: 1 })).rejects.toThrow(PayloadTooLargeError);
  });
});

describe("escapes are refused", () => {
  test("`..` and absolute paths elsewhere", async () => {
    await refused(fs.readFile("../../etc/shadow"), /path escapes the workspace: \.\.\/\.\.\/etc\/shadow; use a path inside \//);
    await refused(fs.readFile("../outside/secret"));
    await refused(fs.readFile(join(outside, "secret")));
    await refused(fs.writeFile("../outside/new", "x"));
    await refused(fs.writeFile("/etc/pwned", "x"));
    await refused(fs.list("/"));
    expect(existsSync(join(outside, "new"))).toBe(false);
  });

  test("a symlink to a file outside (read, write, stat)", async () => {
    symlinkSync(join(outside, "secret"), join(ws, "id_rsa"));
    await refused(fs.readFile("id_rsa"), /resolves to .*outside\/secret/);
    await refused(fs.writeFile("id_rsa", "overwritten"));
    await refused(fs.stat("id_rsa"));
    expect(readFileSync(join(outside, "secret"), "utf8")).toBe("TOP SECRET");
  });

  test("a symlink to a directory outside", async () => {
    symlinkSync(outside, join(ws, "out"));
    await refused(fs.readFile("out/secret"));
    await refused(fs.list("out"));
    await refused(fs.writeFile("out/planted", "x"));
    await refused(fs.writeFile("out/sub/planted", "x"));
    expect(existsSync(join(outside, "planted"))).toBe(false);
    expect(existsSync(join(outside, "sub"))).toBe(false);
    // walking the workspace lists the link but never enters it
    const walked: string[] = [];
    for await (const e of fs.walk(".")) walked.push(`${e.path}:${e.type}`);
    expect(walked).toEqual(["hello.txt:file", "out:symlink"]);
  });

  test("a dangling symlink whose target is outside", async () => {
    symlinkSync(join(outside, "not-yet"), join(ws, "dangling"));
    await refused(fs.writeFile("dangling", "x"));
    await refused(fs.readFile("dangling"));
    expect(existsSync(join(outside, "not-yet"))).toBe(false);
  });

  test("a chain of relative links that climbs out", async () => {
    mkdirSync(join(ws, "a"));
    symlinkSync("../..", join(ws, "a", "up"));
    await refused(fs.readFile("a/up/outside/secret"));
  });

  test("read-only paths and extra allowed paths", async () => {
    const ro = join(base, `ro${n}`);
    const extra = join(base, `extra${n}`);
    mkdirSync(ro);
    mkdirSync(extra);
    writeFileSync(join(ro, "ref.txt"), "ref");
    const f = createSandboxFs({ root: ws, allowedPaths: [extra], readOnlyPaths: [ro] });
    expect(text(await f.readFile(join(ro, "ref.txt")))).toBe("ref");
    await refused(f.writeFile(join(ro, "ref.txt"), "x"), /path is read-only/);
    await f.writeFile(join(extra, "ok.txt"), "ok");
    expect(readFileSync(join(extra, "ok.txt"), "utf8")).toBe("ok");
    await refused(f.readFile(join(outside, "secret")), /use a path inside .*workspace \(or .*extra.*ro/);
  });
});

describe("a symlink swapped in after the check (TOCTOU)", () => {
  test("parent directory swapped between the path check and the open", async () => {
    mkdirSync(join(ws, "d"));
    writeFileSync(join(ws, "d", "secret"), "inside");
    // the check passes on the real directory; then, before anything is opened, `d` becomes a link out
    afterResolve = (real) => {
      if (!real.endsWith("/d/secret")) return;
      renameSync(join(ws, "d"), join(ws, "d-real"));
      symlinkSync(outside, join(ws, "d"));
    };
    try {
      await refused(fs.readFile("d/secret"), /path changed while it was being opened|escapes the workspace/);
    } finally {
      afterResolve = undefined;
    }
  });

  test("parent directory swapped between the check and a write", async () => {
    mkdirSync(join(ws, "d"));
    afterResolve = (real) => {
      if (!real.endsWith("/d/planted")) return;
      renameSync(join(ws, "d"), join(ws, "d-real"));
      symlinkSync(outside, join(ws, "d"));
    };
    try {
      await refused(fs.writeFile("d/planted", "x"), /path changed while it was being opened|escapes the workspace/);
      expect(readdirSync(outside)).toEqual(["secret"]);
    } finally {
      afterResolve = undefined;
    }
  });

  test("target file swapped for a link out between the check and the write", async () => {
    afterResolve = (real) => {
      if (!real.endsWith("/victim")) return;
      symlinkSync(join(outside, "secret"), join(ws, "victim"));
    };
    try {
      // the write replaces the link itself (rename never follows), the outside file is untouched
      await fs.writeFile("victim", "payload").catch(() => {});
      expect(readFileSync(join(outside, "secret"), "utf8")).toBe("TOP SECRET");
    } finally {
      afterResolve = undefined;
    }
  });

  test("a concurrent swapper never gets a read outside or a write outside through", async () => {
    mkdirSync(join(ws, "d"));
    writeFileSync(join(ws, "d", "secret"), "inside");
    // A separate process flips `d` between the real directory and a link out, as fast as it can.
    const flipper = `const fs = require("node:fs"); const d = ${JSON.stringify(join(ws, "d"))};
      for (let i = 0; i < 200000; i++) { fs.renameSync(d, d + "-real"); fs.symlinkSync(${JSON.stringify(outside)}, d); fs.unlinkSync(d); fs.renameSync(d + "-real", d); }`;
    const swapper = Bun.spawn([process.execPath, "-e", flipper], { stdout: "ignore", stderr: "ignore" });
    const seen = new Set<string>();
    try {
      for (let i = 0; i < 400; i++) {
        try {
          seen.add(text(await fs.readFile("d/secret")));
        } catch (e) {
          seen.add((e as Error).name);
        }
        await fs.writeFile(`d/w${i}`, "x").catch(() => {});
      }
    } finally {
      swapper.kill("SIGKILL");
      await swapper.exited;
    }
    expect(seen.has("TOP SECRET")).toBe(false);
    expect(readFileSync(join(outside, "secret"), "utf8")).toBe("TOP SECRET");
    expect(readdirSync(outside)).toEqual(["secret"]);
  });
});

test("a symlink loop is reported, not followed forever", async () => {
  symlinkSync(join(ws, "loop-b"), join(ws, "loop-a"));
  symlinkSync(join(ws, "loop-a"), join(ws, "loop-b"));
  await expect(fs.readFile("loop-a")).rejects.toThrow(/too many levels of symbolic links/);
  await expect(fs.writeFile("loop-a", "x")).rejects.toThrow(/too many levels of symbolic links/);
});

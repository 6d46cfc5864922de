/**
 * `read`: a text file with line numbers (`cat -n` style), a window of lines via offset/limit;
 * images come back as image blocks; other binary files are described, not dumped.
 */
import { z } from "zod";
import { PayloadTooLargeError } from "../core/errors.ts";
import { ToolError, defineTool, textResult } from "./tool.ts";
import { clip, decodeText, imageType, looksBinary, splitLines } from "./text.ts";

export interface ReadToolOptions {
  /** largest file read at all; default 10 MiB */
  maxBytes?: number;
  /** largest image returned as an image block; default 5 MiB */
  maxImageBytes?: number;
  defaultLimit?: number;
  maxLineChars?: number;
}

const ReadInput = z.object({
  path: z.string().min(1).describe("file path, relative to the workspace or absolute inside it"),
  offset: z.number().int().min(1).optional().describe("first line to show (1-based); default 1"),
  limit: z.number().int().min(1).optional().describe("number of lines to show; default 2000"),
});

export function readTool(opts: ReadToolOptions = {}) {
  const maxBytes = opts.maxBytes ?? 10 * 1024 * 1024;
  const maxImageBytes = opts.maxImageBytes ?? 5 * 1024 * 1024;
  const defaultLimit = opts.defaultLimit ?? 2000;
  const maxLineChars = opts.maxLineChars ?? 2000;
  return defineTool({
    name: "read",
    description:
      `Read a file from the workspace. Text comes back with line numbers (use them to pick offset/limit; do not copy them into edits). ` +
      `Shows up to ${defaultLimit} lines from offset; long lines are cut at ${maxLineChars} characters. PNG/JPEG/GIF/WebP images are returned as images. ` +
      `Files over ${maxBytes} bytes are refused: use grep, or exec with head/sed.`,
    schema: ReadInput,
    timeoutMs: 30_000,
    async execute({ path, offset = 1, limit = defaultLimit }, ctx) {
      let bytes: Uint8Array;
      try {
        bytes = await ctx.executor.fs.readFile(path, { maxBytes });
      } catch (err) {
        if (err instanceof PayloadTooLargeError) throw new ToolError(`${err.message}; use grep to find what you need, or exec with head/tail/sed`);
        throw err;
      }
      const image = imageType(bytes);
      if (image) {
        if (bytes.length > maxImageBytes) return `${path}: ${image} image of ${bytes.length} bytes, over the ${maxImageBytes}-byte limit for images; not shown`;
        return { content: [{ type: "text", text: `${path} (${image}, ${bytes.length} bytes)` }, { type: "image", mediaType: image, data: Buffer.from(bytes).toString("base64") }], isError: false };
      }
      if (looksBinary(bytes)) return textResult(`${path} is a binary file (${bytes.length} bytes); not shown. Use exec (for example: file, xxd | head) to inspect it.`);
      if (bytes.length === 0) return `${path} is empty (0 bytes)`;
      const lines = splitLines(decodeText(bytes));
      if (offset > lines.length) throw new ToolError(`offset ${offset} is past the end of ${path}, which has ${lines.length} lines`);
      const end = Math.min(lines.length, offset - 1 + limit);
      const width = String(end).length;
      let out = "";
      for (let i = offset - 1; i < end; i++) out += `${String(i + 1).padStart(Math.max(6, width))}\t${clip(lines[i]!, maxLineChars)}\n`;
      if (offset > 1 || end < lines.length) {
        out += `[lines ${offset}-${end} of ${lines.length}${end < lines.length ? `; continue with offset=${end + 1}` : ""}]`;
      }
      return out.replace(/\n$/, "");
    },
  });
}

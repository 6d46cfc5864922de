/**
 * `edit`: exact-text replacement in one file. Fails, changing nothing, when the text is not found
 * or is found more than once (unless `replaceAll`), and says how to fix the call.
 */
import { z } from "zod";
import { ToolError, defineTool } from "./tool.ts";
import { decodeText, looksBinary } from "./text.ts";

const EditInput = z.object({
  path: z.string().min(1).describe("file path, relative to the workspace or absolute inside it"),
  oldText: z.string().min(1).describe("exact text to replace, including whitespace and indentation (no line numbers)"),
  newText: z.string().describe("the replacement text"),
  replaceAll: z.boolean().optional().describe("replace every occurrence instead of requiring exactly one"),
});

const MAX_EDIT_BYTES = 10 * 1024 * 1024;

function countOccurrences(haystack: string, needle: string): number {
  let n = 0;
  for (let at = haystack.indexOf(needle); at !== -1; at = haystack.indexOf(needle, at + needle.length)) n++;
  return n;
}

export function editTool() {
  return defineTool({
    name: "edit",
    description:
      "Replace exact text in a file. oldText must match the file exactly (whitespace too) and, unless replaceAll is true, exactly once: " +
      "include enough surrounding lines to make it unique. Read the file first.",
    schema: EditInput,
    timeoutMs: 30_000,
    async execute({ path, oldText, newText, replaceAll }, ctx) {
      if (oldText === newText) throw new ToolError("oldText and newText are the same; nothing to change");
      const bytes = await ctx.executor.fs.readFile(path, { maxBytes: MAX_EDIT_BYTES });
      if (looksBinary(bytes)) throw new ToolError(`${path} is a binary file; edit works on text files only`);
      let text = decodeText(bytes);
      const crlf = text.includes("\r\n") && !oldText.includes("\r\n");
      if (crlf) text = text.replace(/\r\n/g, "\n");
      const count = countOccurrences(text, oldText);
      if (count === 0) {
        throw new ToolError(
          `oldText was not found in ${path}; nothing was changed. Read the file again and copy the exact text (whitespace, indentation and line breaks must match; leave out line numbers).`,
        );
      }
      if (count > 1 && !replaceAll) {
        throw new ToolError(
          `oldText matches ${count} places in ${path}; nothing was changed. Add surrounding lines to oldText so it matches exactly one place, or set replaceAll: true to change all ${count}.`,
        );
      }
      let updated = replaceAll ? text.split(oldText).join(newText) : text.replace(oldText, () => newText);
      if (crlf) updated = updated.replace(/\n/g, "\r\n");
      await ctx.executor.fs.writeFile(path, updated);
      return `edited ${path}: replaced ${count} occurrence${count === 1 ? "" : "s"}`;
    },
  });
}

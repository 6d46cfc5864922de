/**
 * `grep`: search file contents (regex or literal) under a folder through the sandbox fs. Reports
 * `path:line: text`, capped. Binary files and files over the size cap are skipped. The pattern runs
 * in this process on a linear-time engine (grep-pattern.ts, RE2 syntax), each line cut to
 * MAX_LINE_MATCH characters first so one match call stays short, and the loop yields to the event
 * loop every few milliseconds (slicer.ts) so the tool timeout and everything else keep running.
 */
import { z } from "zod";
import { NotFoundError, PayloadTooLargeError } from "../core/errors.ts";
import { compileGlob, skipDirsFor, walkRelative, type ScanToolOptions } from "./glob.ts";
import { compileGrepPattern } from "./grep-pattern.ts";
import { timeSlicer } from "./slicer.ts";
import { defineTool } from "./tool.ts";
import { decodeText, looksBinary } from "./text.ts";

const GrepInput = z.object({
  pattern: z.string().min(1).describe("regular expression in RE2 syntax, as in ripgrep (no lookaround or backreferences), or plain text with literal: true"),
  path: z.string().optional().describe("file or folder to search, relative to the workspace; default the workspace"),
  glob: z.string().optional().describe('only files matching this glob; without "/" it matches the file name (e.g. "*.ts")'),
  literal: z.boolean().optional().describe("treat pattern as plain text"),
  ignoreCase: z.boolean().optional(),
  maxMatches: z.number().int().min(1).max(1000).optional().describe("default 100"),
});

const MAX_FILE_BYTES = 5 * 1024 * 1024;
const MAX_LINE_MATCH = 4000;
const MAX_LINE_SHOW = 300;

export function grepTool(opts: ScanToolOptions = {}) {
  const walkLimit = opts.walkLimit ?? 100_000;
  return defineTool({
    name: "grep",
    description:
      "Search file contents with a regular expression (or literal text). Returns path:line: text for each matching line, " +
      "skipping binary files, files over 5 MB, .git and node_modules. Use glob to filter files.",
    schema: GrepInput,
    timeoutMs: opts.timeoutMs ?? 60_000,
    async execute({ pattern, path = ".", glob, literal = false, ignoreCase = false, maxMatches = 100 }, ctx) {
      const re = compileGrepPattern(pattern, literal, ignoreCase);
      const slice = timeSlicer(opts.slicer);
      const filter = glob ? compileGlob(glob) : undefined;
      const byName = glob !== undefined && !glob.includes("/");
      const matches: string[] = [];
      let more = 0;
      let files = 0;
      let skipped = 0;
      scan: for await (const { entry, rel } of walkRelative(ctx.executor.fs, path, { limit: walkLimit, skipDirs: skipDirsFor(glob ?? "") })) {
        await slice();
        if (ctx.signal.aborted) break;
        if (entry.type !== "file") continue;
        if (filter && !filter.test(byName ? rel.slice(rel.lastIndexOf("/") + 1) : rel)) continue;
        if (entry.size > MAX_FILE_BYTES) {
          skipped++;
          continue;
        }
        let bytes: Uint8Array;
        try {
          bytes = await ctx.executor.fs.readFile(entry.path, { maxBytes: MAX_FILE_BYTES });
        } catch (err) {
          if (err instanceof PayloadTooLargeError) skipped++;
          else if (!(err instanceof NotFoundError)) throw err;
          continue;
        }
        if (looksBinary(bytes)) continue;
        files++;
        const lines = decodeText(bytes).split(/\r?\n/);
        for (let i = 0; i < lines.length; i++) {
          const pause = slice(); // awaited only when the slice is used up: an await per line costs more than the match
          if (pause) {
            await pause;
            if (ctx.signal.aborted) break scan;
          }
          const line = lines[i]!;
          if (!re.test(line.length > MAX_LINE_MATCH ? line.slice(0, MAX_LINE_MATCH) : line)) continue;
          if (matches.length >= maxMatches) {
            more++;
            continue;
          }
          const shown = line.length > MAX_LINE_SHOW ? `${line.slice(0, MAX_LINE_SHOW)}…` : line;
          matches.push(`${entry.path}:${i + 1}: ${shown}`);
        }
      }
      const notes: string[] = [];
      if (more > 0) notes.push(`[${more} more matching lines not shown; narrow the pattern, path or glob]`);
      if (skipped > 0) notes.push(`[${skipped} files over 5 MB skipped]`);
      if (matches.length === 0) return [`no matches for ${JSON.stringify(pattern)} in ${files} files under ${path}`, ...notes].join("\n");
      return [...matches, ...notes].join("\n");
    },
  });
}

/**
 * `glob`: files whose path (relative to the search folder) matches a glob pattern. `.git` and
 * `node_modules` are not entered unless the pattern names them. Results are capped. Matching is
 * linear-time (glob-match.ts) and the loop yields every few milliseconds (slicer.ts), so neither a
 * hostile pattern nor a huge folder keeps the gateway's event loop or the tool timeout from running.
 */
import { z } from "zod";
import type { FileStat, SandboxFs } from "../sandbox/executor.ts";
import { GlobSyntaxError, globMatcher, type GlobMatcher } from "./glob-match.ts";
import { timeSlicer, type SlicerOptions } from "./slicer.ts";
import { ToolError, defineTool } from "./tool.ts";

const GlobInput = z.object({
  pattern: z.string().min(1).describe('glob: * (one path segment), ** (any depth), ?, {a,b}, [abc]; e.g. "**/*.ts", "src/*.{js,json}"'),
  path: z.string().optional().describe("folder to search, relative to the workspace; default the workspace"),
});

export const SKIPPED_DIRS = [".git", "node_modules"];

/** Walk `base` yielding entries with their path relative to `base`. */
export async function* walkRelative(fs: SandboxFs, base: string, opts: { limit: number; skipDirs: string[] }): AsyncGenerator<{ entry: FileStat; rel: string }> {
  const root = await fs.stat(base);
  if (!root) throw new ToolError(`folder not found: ${base}; use ls to see what exists`);
  const prefix = root.path === "." ? "" : `${root.path}/`;
  for await (const entry of fs.walk(base, opts)) {
    yield { entry, rel: root.type === "dir" ? entry.path.slice(prefix.length) : entry.path.slice(entry.path.lastIndexOf("/") + 1) };
  }
}

export function skipDirsFor(pattern: string): string[] {
  return SKIPPED_DIRS.filter((d) => !pattern.includes(d));
}

export function compileGlob(pattern: string): GlobMatcher {
  try {
    return globMatcher(pattern.replace(/^\.\//, ""));
  } catch (err) {
    if (err instanceof GlobSyntaxError && err.message.startsWith("invalid glob")) throw new ToolError(err.message);
    throw new ToolError(`invalid glob pattern ${JSON.stringify(pattern)}: ${(err as Error).message}`);
  }
}

export interface ScanToolOptions {
  walkLimit?: number;
  /** default 60 s */
  timeoutMs?: number;
  /** how the matching loop yields to the event loop (tests shorten the slice) */
  slicer?: SlicerOptions;
}

export function globTool(opts: ScanToolOptions & { maxResults?: number } = {}) {
  const maxResults = opts.maxResults ?? 1000;
  const walkLimit = opts.walkLimit ?? 100_000;
  return defineTool({
    name: "glob",
    description:
      `Find files by path pattern (relative to the search folder). "*.ts" matches only the top level; use "**/*.ts" for any depth. ` +
      `.git and node_modules are skipped unless the pattern names them. At most ${maxResults} results, sorted by path.`,
    schema: GlobInput,
    timeoutMs: opts.timeoutMs ?? 60_000,
    async execute({ pattern, path = "." }, ctx) {
      const re = compileGlob(pattern);
      const slice = timeSlicer(opts.slicer);
      const found: string[] = [];
      let seen = 0;
      for await (const { entry, rel } of walkRelative(ctx.executor.fs, path, { limit: walkLimit, skipDirs: skipDirsFor(pattern) })) {
        seen++;
        await slice();
        if (ctx.signal.aborted) break;
        if (re.test(rel)) found.push(entry.type === "dir" ? `${entry.path}/` : entry.path);
      }
      found.sort();
      if (found.length === 0) return `no files match ${pattern} under ${path}`;
      const lines = found.slice(0, maxResults);
      if (found.length > maxResults) lines.push(`[${found.length - maxResults} more matches not shown; use a narrower pattern or path]`);
      if (seen >= walkLimit) lines.push(`[search stopped after ${walkLimit} entries; results may be incomplete — search a subfolder]`);
      return lines.join("\n");
    },
  });
}

/** `ls`: one directory's entries (dirs end with `/`, links with `@`), sizes for files, capped. */
import { z } from "zod";
import { ToolError, defineTool } from "./tool.ts";

const LsInput = z.object({
  path: z.string().optional().describe("directory, relative to the workspace or absolute inside it; default the workspace"),
});

export function lsTool(opts: { maxEntries?: number } = {}) {
  const maxEntries = opts.maxEntries ?? 1000;
  return defineTool({
    name: "ls",
    description: `List a directory: folders end with "/", symlinks with "@", files show their size. At most ${maxEntries} entries.`,
    schema: LsInput,
    timeoutMs: 30_000,
    async execute({ path = "." }, ctx) {
      const st = await ctx.executor.fs.stat(path);
      if (!st) throw new ToolError(`directory not found: ${path}; list its parent to see what exists`);
      if (st.type !== "dir") throw new ToolError(`${path} is a file, not a directory; use read to see it`);
      const entries = await ctx.executor.fs.list(path);
      if (entries.length === 0) return `${path} is empty`;
      const lines = entries.slice(0, maxEntries).map((e) => {
        const name = e.path.slice(e.path.lastIndexOf("/") + 1);
        return e.type === "dir" ? `${name}/` : e.type === "symlink" ? `${name}@` : e.type === "file" ? `${name}  (${e.size} bytes)` : name;
      });
      if (entries.length > maxEntries) lines.push(`[${entries.length - maxEntries} more entries not shown; use glob to narrow down]`);
      return lines.join("\n");
    },
  });
}

/** `write`: create or replace a whole file (parent folders are created; atomic replace). */
import { z } from "zod";
import { defineTool } from "./tool.ts";

const WriteInput = z.object({
  path: z.string().min(1).describe("file path, relative to the workspace or absolute inside it"),
  content: z.string().describe("the complete new content of the file"),
});

export function writeTool() {
  return defineTool({
    name: "write",
    description:
      "Create a file or replace its whole content. Missing parent folders are created. To change part of an existing file, use edit instead.",
    schema: WriteInput,
    timeoutMs: 30_000,
    async execute({ path, content }, ctx) {
      const existed = (await ctx.executor.fs.stat(path)) !== null;
      await ctx.executor.fs.writeFile(path, content);
      const bytes = Buffer.byteLength(content);
      return `${existed ? "replaced" : "created"} ${path} (${bytes} bytes)`;
    },
  });
}

/**
 * Tool policy and the registry. Policy is a pure function: `deny` wins over `allow`; an absent or
 * empty `allow` allows everything not denied (as in OpenClaw); names match case-insensitively with
 * `*` wildcards, and OpenClaw's groups (`group:fs`, `group:runtime`, `group:web`) expand to our
 * built-ins. A tool removed by policy is neither listed for the model nor callable.
 */
import { RE2JS } from "re2js";
import type { Tool } from "./types.ts";
import { editTool } from "./edit.ts";
import { execTool } from "./exec.ts";
import { globTool } from "./glob.ts";
import { grepTool } from "./grep.ts";
import { lsTool } from "./ls.ts";
import { readTool } from "./read.ts";
import { webFetchTool } from "./web-fetch.ts";
import { writeTool } from "./write.ts";

export interface ToolPolicy {
  allow?: readonly string[];
  deny?: readonly string[];
}

export const TOOL_GROUPS: Record<string, readonly string[]> = {
  "group:fs": ["read", "write", "edit", "ls", "glob", "grep"],
  "group:runtime": ["exec"],
  "group:web": ["web_fetch"],
};

function nameMatches(name: string, pattern: string): boolean {
  const p = pattern.trim().toLowerCase();
  const group = TOOL_GROUPS[p];
  if (group) return group.includes(name.toLowerCase());
  // re2js, not RegExp: `a*a*a*a*a*a*a*a*b` as a backtracking regex takes seconds on a long name
  return RE2JS.compile(p.split("*").map((part) => RE2JS.quote(part)).join(".*")).testExact(name.toLowerCase());
}

export function isToolAllowed(name: string, policy: ToolPolicy): boolean {
  if ((policy.deny ?? []).some((p) => nameMatches(name, p))) return false;
  const allow = policy.allow ?? [];
  return allow.length === 0 || allow.some((p) => nameMatches(name, p));
}

export function applyToolPolicy<T extends Pick<Tool, "name">>(tools: readonly T[], policy: ToolPolicy): T[] {
  return tools.filter((t) => isToolAllowed(t.name, policy));
}

export class ToolRegistry {
  readonly #tools = new Map<string, Tool>();

  constructor(tools: readonly Tool[] = [], readonly policy: ToolPolicy = {}) {
    for (const t of tools) this.register(t);
  }

  /** Adds a tool (a later one with the same name replaces the earlier). Ignored when policy removes it. */
  register(tool: Tool): this {
    if (isToolAllowed(tool.name, this.policy)) this.#tools.set(tool.name, tool);
    return this;
  }

  /** The tool, or undefined when unknown or removed by policy. */
  get(name: string): Tool | undefined {
    return this.#tools.get(name);
  }

  list(): Tool[] {
    return [...this.#tools.values()];
  }

  /** What the model is shown. */
  specs(): { name: string; description: string; inputSchema: Record<string, unknown> }[] {
    return this.list().map((t) => ({ name: t.name, description: t.description, inputSchema: t.inputSchema }));
  }
}

/** The built-in tools, fresh instances. */
export function defaultTools(): Tool[] {
  return [readTool(), writeTool(), editTool(), lsTool(), globTool(), grepTool(), execTool(), webFetchTool()] as Tool[];
}

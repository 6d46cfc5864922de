/**
 * The runtime's tools, before and after the tool policy (`tools.allow` / `tools.deny`; deny wins,
 * an empty allow allows everything not denied). Each change builds a new `tools` map and a new
 * `specs` array and never edits one in place, so whatever a run (or a cache keyed on the list)
 * took stays valid: a run in flight keeps the set it started with.
 */
import type { ToolSpec } from "../providers/types.ts";
import { isToolAllowed, type ToolPolicy } from "../tools/registry.ts";
import type { Tool } from "../tools/types.ts";

export class ToolSet {
  /** every tool added, before policy */
  #all = new Map<string, Tool>();
  #policy: ToolPolicy = {};
  /** after policy: what runs see */
  tools: ReadonlyMap<string, Tool> = new Map();
  /** never edited in place (see above) */
  specs: ToolSpec[] = [];

  /** A tool with the same name replaces the earlier one. */
  add(tools: Tool[]): void {
    for (const t of tools) this.#all.set(t.name, t);
    this.#apply();
  }

  setPolicy(policy: ToolPolicy): void {
    this.#policy = { ...(policy.allow ? { allow: [...policy.allow] } : {}), ...(policy.deny ? { deny: [...policy.deny] } : {}) };
    this.#apply();
  }

  #apply(): void {
    const tools = new Map([...this.#all].filter(([name]) => isToolAllowed(name, this.#policy)));
    this.tools = tools;
    this.specs = [...tools.values()].map((t) => ({ name: t.name, description: t.description, inputSchema: t.inputSchema }));
  }
}

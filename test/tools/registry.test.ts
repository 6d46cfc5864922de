import { describe, expect, test } from "bun:test";
import { applyToolPolicy, defaultTools, isToolAllowed, ToolRegistry, type ToolPolicy } from "../../src/tools/registry.ts";
import { whileTicking } from "./liveness.ts";

describe("tool policy", () => {
  const cases: [string, ToolPolicy, boolean][] = [
    ["read", {}, true],
    ["read", { deny: [] }, true],
    ["read", { allow: [] }, true],
    ["exec", { deny: ["exec"] }, false],
    ["exec", { allow: ["exec"], deny: ["exec"] }, false],
    ["exec", { allow: ["*"], deny: ["ex*"] }, false],
    ["read", { allow: ["read", "write"] }, true],
    ["exec", { allow: ["read", "write"] }, false],
    ["web_fetch", { allow: ["web_*"] }, true],
    ["web_fetch", { deny: ["*"] }, false],
    ["Exec", { deny: ["exec"] }, false],
    ["grep", { allow: ["group:fs"] }, true],
    ["exec", { allow: ["group:fs"] }, false],
    ["exec", { deny: ["group:runtime"] }, false],
    ["web_fetch", { deny: ["group:web"] }, false],
    ["read", { deny: ["rea"] }, true],
    ["a.b", { allow: ["a?b"] }, false],
  ];
  for (const [name, policy, want] of cases) test(`${name} with ${JSON.stringify(policy)} → ${want}`, () => expect(isToolAllowed(name, policy)).toBe(want));

  test("a many-star pattern against a long name is answered without stalling the event loop", async () => {
    const { value, maxGapMs } = await whileTicking(async () => isToolAllowed("a".repeat(66), { deny: ["a*a*a*a*a*a*a*a*b"] }));
    expect(value).toBe(true);
    expect(maxGapMs).toBeLessThan(1000);
  });
});

describe("registry", () => {
  test("defaultTools are the eight built-ins with valid schemas", () => {
    const tools = defaultTools();
    expect(tools.map((t) => t.name)).toEqual(["read", "write", "edit", "ls", "glob", "grep", "exec", "web_fetch"]);
    for (const t of tools) {
      expect(t.inputSchema.type).toBe("object");
      expect(t.description.length).toBeGreaterThan(20);
    }
  });

  test("a tool removed by policy is neither listed nor callable", () => {
    const reg = new ToolRegistry(defaultTools(), { deny: ["exec", "web_*"] });
    expect(reg.specs().map((s) => s.name)).toEqual(["read", "write", "edit", "ls", "glob", "grep"]);
    expect(reg.get("exec")).toBeUndefined();
    expect(reg.get("read")?.name).toBe("read");
    expect(applyToolPolicy(defaultTools(), { allow: ["read"] }).map((t) => t.name)).toEqual(["read"]);
  });
});

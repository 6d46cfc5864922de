// Multi-agent config: agents.entries and OpenClaw's agents.list are one set of agents, each with
// its own workspace; an unknown id is refused with the configured ones listed.
import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { agentIds, agentSettings, agentWorkspace, checkAgentId, UnknownAgentError } from "../../src/config/agents.ts";
import { stateDir } from "../../src/config/paths.ts";
import { ConfigSchema } from "../../src/config/schema.ts";
import { unknownKeyWarnings, validateDocument } from "../../src/config/validate.ts";
import { ConfigError, RpcCode } from "../../src/core/errors.ts";

describe("agents config", () => {
  test("agents.list items become entries, inheriting agents.defaults", () => {
    const c = ConfigSchema.parse({
      agents: {
        defaults: { model: "anthropic/claude-main", limits: { maxSteps: 7 }, sandbox: { level: "off" } },
        entries: { ops: { model: "anthropic/claude-ops" } },
        list: [{ id: "work", name: "Work", model: "anthropic/claude-work", limits: { maxWallMs: 5000 } }],
      },
    });
    expect(agentIds(c)).toEqual(["main", "ops", "work"]);
    expect(agentSettings(c, "work")).toMatchObject({ model: "anthropic/claude-work", name: "Work", sandbox: { level: "off" }, limits: { maxSteps: 7, maxWallMs: 5000 } });
    expect(agentSettings(c, "main").model).toBe("anthropic/claude-main");
    expect(unknownKeyWarnings({ agents: { list: [{ id: "work", name: "W", workspace: "/w" }] } }, "f")).toEqual([]);
  });

  test("each agent has its own workspace unless it sets one", () => {
    const c = ConfigSchema.parse({ agents: { defaults: { workspace: "/srv/main-ws" }, entries: { work: {}, ops: { workspace: "~/ops" } } } });
    expect(agentWorkspace(c, "main")).toBe("/srv/main-ws");
    expect(agentWorkspace(c, "work")).toBe(join(stateDir(), "workspace-work"));
    expect(agentWorkspace(c, "ops")).toBe(join(process.env.HOME!, "ops"));
  });

  test("an id defined twice or a key that is no agent id is a config error naming the key", () => {
    expect(() => validateDocument({ agents: { entries: { work: {} }, list: [{ id: "work" }] } })).toThrow(/agents\.list\.0\.id: .*agent "work" is defined twice/);
    expect(() => validateDocument({ agents: { list: [{ id: "a" }, { id: "a" }] } })).toThrow(/agents\.list\.1\.id/);
    expect(() => validateDocument({ agents: { entries: { "no spaces": {} } } })).toThrow(ConfigError);
    expect(() => validateDocument({ agents: { entries: { "no spaces": {} } } })).toThrow(/"no spaces" is not an agent id/);
  });

  test("an unknown id: UnknownAgentError (-32602) listing the configured agents", () => {
    const c = ConfigSchema.parse({ agents: { entries: { work: {} } } });
    expect(checkAgentId(c, "work")).toBe("work");
    let err: unknown;
    try {
      checkAgentId(c, "ghost");
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(UnknownAgentError);
    const e = err as UnknownAgentError;
    expect(e.rpcCode).toBe(RpcCode.InvalidParams);
    expect(e.message).toContain(`unknown agent "ghost"; configured agents: main, work`);
    expect(e.toWire().data).toEqual({ type: "UnknownAgentError", details: { agentId: "ghost", known: ["main", "work"] } });
  });
});

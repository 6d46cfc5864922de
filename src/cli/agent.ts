/**
 * `openclaw agent --message "…" [--session-key <key>] [--model provider/model] [--agent <id>] [--json]`:
 * one turn of a configured agent (its own model, workspace and sandbox; an unknown id exits 2 and
 * lists the configured ones) in this terminal, without a gateway, on the same SQLite store and
 * config the gateway uses. The reply streams to stdout; each tool call is one line on stderr (so stdout stays the
 * reply and pipes cleanly). With the global `--json`, every event is one JSON line on stdout.
 * Exit 0 when the run ends ok, 1 otherwise (limit, aborted, error, or no API key — then the exact
 * key or config entry to set is printed). Ctrl-C aborts the run; the log records it as aborted.
 */
import { defineCommand } from "citty";
import type { AgentEvent } from "../agent/types.ts";
import type { Config } from "../config/schema.ts";
import { EXIT, UsageError, globals, loadCliConfig } from "./output.ts";

export interface AgentTurnOptions {
  message: string;
  sessionKey?: string;
  model?: string;
  agentId?: string;
  json: boolean;
  out?: (s: string) => void;
  err?: (s: string) => void;
}

export const command = defineCommand({
  meta: { name: "agent", description: "Run one agent turn in this terminal, without a gateway" },
  args: {
    message: { type: "string", alias: "m", description: "the message to send", required: true },
    "session-key": { type: "string", description: "session to continue (default: agent:<agent>:cli)" },
    model: { type: "string", description: "provider/model for this turn (default: agents.defaults.model)" },
    agent: { type: "string", description: "agent id: main (default) or an id of agents.entries / agents.list" },
  },
  async run({ args }) {
    process.exitCode = await runAgentTurn({
      message: args.message,
      ...(args["session-key"] ? { sessionKey: args["session-key"] } : {}),
      ...(args.model ? { model: args.model } : {}),
      ...(args.agent ? { agentId: args.agent } : {}),
      json: globals().json,
    });
  },
});

export async function runAgentTurn(opts: AgentTurnOptions): Promise<number> {
  const out = opts.out ?? ((s: string) => void process.stdout.write(s));
  const err = opts.err ?? ((s: string) => void process.stderr.write(s));
  const { config } = await loadCliConfig();
  const agentId = await checkedAgent(config, opts.agentId, opts.sessionKey);
  const { createModelRouter, MissingApiKeyError } = await import("../providers/registry.ts");
  const router = createModelRouter(config, { agentId });
  try {
    router.resolve(opts.model ?? router.defaultModel);
  } catch (e) {
    if (!(e instanceof MissingApiKeyError)) throw e;
    if (opts.json) out(JSON.stringify({ ok: false, error: { type: "MissingApiKeyError", message: e.message } }) + "\n");
    else err(`error: ${e.message}\n`);
    return EXIT.error;
  }
  const { openCluster, openConfiguredStore } = await import("../store/open.ts");
  const { buildRuntime } = await import("../agent/build-runtime.ts");
  const sessionKey = opts.sessionKey ?? `agent:${agentId}:cli`;
  const store = await openConfiguredStore(config.storage);
  // on a database shared with gateway nodes this process is a node too: the run takes the session lease, heart-beats
  const cluster = openCluster(config.storage, store);
  try {
    await cluster.start();
  } catch (e) {
    await store.close();
    throw e;
  }
  const runtime = buildRuntime(config, store, { agentId, provider: router }).withCluster(cluster);
  const onSigint = () => runtime.abort({ sessionKey });
  process.once("SIGINT", onSigint);
  try {
    const handle = await runtime.start({ sessionKey, text: opts.message, channel: "cli", ...(opts.model ? { model: opts.model } : {}) });
    const print = opts.json ? (e: AgentEvent) => out(JSON.stringify(e) + "\n") : textPrinter(out, err);
    for await (const e of handle.events) print(e);
    const res = await handle.done;
    return res.outcome === "ok" ? EXIT.ok : EXIT.error;
  } finally {
    process.off("SIGINT", onSigint);
    await runtime.shutdown(0);
    await cluster.close();
    await store.close();
  }
}

/**
 * The configured agent to talk to: `--agent`, else the agent a `--session-key` of the form
 * `agent:<id>:…` names, else main. An unknown id (in either), or a session key of another agent,
 * is a usage error.
 */
async function checkedAgent(config: Config, agentId: string | undefined, sessionKey: string | undefined): Promise<string> {
  const { agentOfSessionKey, checkAgentId, MAIN_AGENT, UnknownAgentError } = await import("../config/agents.ts");
  let keyAgent: string | null;
  let id: string;
  try {
    const byKey = agentOfSessionKey(sessionKey);
    keyAgent = byKey === null ? null : checkAgentId(config, byKey);
    id = checkAgentId(config, agentId ?? keyAgent ?? MAIN_AGENT);
  } catch (err) {
    if (err instanceof UnknownAgentError) throw new UsageError(`${agentId !== undefined ? "--agent" : "--session-key"}: ${err.message}`);
    throw err;
  }
  if (keyAgent !== null && keyAgent !== id) throw new UsageError(`--session-key ${sessionKey} belongs to agent "${keyAgent}", not "${id}"; drop --agent or use a session key agent:${id}:…`);
  return id;
}

/** People-readable output: reply text on stdout, one line per tool call on stderr. */
export function textPrinter(out: (s: string) => void, err: (s: string) => void): (e: AgentEvent) => void {
  let midLine = false;
  const endLine = () => {
    if (midLine) out("\n");
    midLine = false;
  };
  return (e) => {
    switch (e.type) {
      case "text_delta":
        out(e.text);
        midLine = !e.text.endsWith("\n");
        break;
      case "tool_call":
        endLine();
        err(`→ ${e.name} ${short(JSON.stringify(e.input) ?? "")}\n`);
        break;
      case "tool_result":
        if (e.isError) err(`  ✗ ${e.name}: ${short(e.output.split("\n")[0] ?? "")}\n`);
        break;
      case "compaction":
        err(`(earlier conversation summarised: ~${e.tokensBefore} tokens)\n`);
        break;
      case "error":
        endLine();
        err(`error: ${e.error.message}\n`);
        break;
      case "final":
        endLine();
        if (e.outcome !== "ok" && e.outcome !== "error") err(`[${e.outcome}] ${e.reason ?? ""}\n`);
        break;
    }
  };
}

function short(s: string, max = 160): string {
  return s.length > max ? `${s.slice(0, max)}…` : s;
}

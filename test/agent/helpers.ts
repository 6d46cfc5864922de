// Shared test helpers for the agent loop: small in-process tools, a store reader, a deferred.
import { z } from "zod";
import { configureLogging } from "../../src/core/log.ts";
import type { StoredEvent } from "../../src/core/events.ts";
import { AgentRuntime } from "../../src/agent/runtime.ts";
import type { RuntimeOptions } from "../../src/agent/options.ts";
import { unavailableExecutor } from "../../src/agent/tool-executor.ts";
import { defineTool } from "../../src/tools/tool.ts";
import type { SessionStore } from "../../src/store/types.ts";
import { ScriptedProvider, type Script } from "../fakes/scripted-provider.ts";

configureLogging({ level: "error" });

export function deferred<T = void>(): { promise: Promise<T>; resolve(v: T): void } {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

export function echoTool(calls: unknown[] = []) {
  return defineTool({
    name: "echo",
    description: "Echo the text back",
    schema: z.object({ text: z.string() }),
    execute: (input) => {
      calls.push(input);
      return `echo: ${input.text}`;
    },
  });
}

export function makeRuntime(script: Script | ScriptedProvider, opts: RuntimeOptions = {}) {
  const provider = script instanceof ScriptedProvider ? script : new ScriptedProvider(script);
  const runtime = new AgentRuntime(provider, opts).withSandbox(unavailableExecutor({ level: "off" }, "no executor in this test"));
  return { provider, runtime, store: runtime.store };
}

export async function allEvents(store: SessionStore, sessionKey: string): Promise<StoredEvent[]> {
  return store.readRange(sessionKey, 1);
}

export async function eventTypes(store: SessionStore, sessionKey: string): Promise<string[]> {
  return (await allEvents(store, sessionKey)).map((e) => e.type);
}

/** Counts the events `store.readRange` returns from now on (`reads.count`, resettable). */
export function countReads(store: SessionStore): { count: number } {
  const reads = { count: 0 };
  const readRange = store.readRange.bind(store);
  store.readRange = async (...args) => {
    const out = await readRange(...args);
    reads.count += out.length;
    return out;
  };
  return reads;
}

/** Waits (bounded) until `check` is true. */
export async function until(check: () => boolean, ms = 2000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error("condition not reached in time");
    await new Promise((r) => setTimeout(r, 2));
  }
}

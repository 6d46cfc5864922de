// Shared by the provider tests: collect a stream, a recording fake sleep, a minimal request.
import type { Message } from "../../src/core/messages.ts";
import type { ProviderEvent, ProviderRequest } from "../../src/providers/types.ts";
import type { Sleep } from "../../src/core/backoff.ts";

export async function collect(stream: AsyncIterable<ProviderEvent>, onEvent?: (ev: ProviderEvent) => void): Promise<ProviderEvent[]> {
  const out: ProviderEvent[] = [];
  for await (const ev of stream) {
    out.push(ev);
    onEvent?.(ev);
    if (out.length > 10_000) throw new Error("runaway stream");
  }
  return out;
}

export function stopOf(events: ProviderEvent[]): Extract<ProviderEvent, { type: "stop" }> {
  const stops = events.filter((e) => e.type === "stop");
  if (stops.length !== 1 || events.at(-1)?.type !== "stop") throw new Error(`expected exactly one final stop, got ${stops.length}`);
  return stops[0] as Extract<ProviderEvent, { type: "stop" }>;
}

export const textOfEvents = (events: ProviderEvent[]) => events.flatMap((e) => (e.type === "text_delta" ? [e.text] : [])).join("");
export const ofType = <T extends ProviderEvent["type"]>(events: ProviderEvent[], type: T) =>
  events.filter((e): e is Extract<ProviderEvent, { type: T }> => e.type === type);

/** A fake clock: records each requested delay and returns at once. */
export function fakeSleep(): { sleep: Sleep; delays: number[] } {
  const delays: number[] = [];
  return { delays, sleep: async (ms) => void delays.push(ms) };
}

export function request(messages: Message[] | string, extra: Partial<ProviderRequest> = {}): ProviderRequest {
  return {
    model: "claude-sonnet-4-5",
    system: "You are a test.",
    messages: typeof messages === "string" ? [{ role: "user", content: [{ type: "text", text: messages }] }] : messages,
    tools: [],
    maxTokens: 1024,
    ...extra,
  };
}

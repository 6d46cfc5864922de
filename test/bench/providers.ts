// Benchmark: what the providers cost on top of the wire. One turn = a 2 KB reply streamed as
// 256 SSE deltas by the local fake. Baseline: the same request with plain fetch, reading the body
// and doing nothing with it. Prints median / p99 / RSS; not a pass/fail test.
// Run: node_modules/.bin/bun test/bench/providers.ts
import { configureLogging } from "../../src/core/log.ts";
import { ApiKey } from "../../src/core/secrets.ts";
import { AnthropicProvider } from "../../src/providers/anthropic.ts";
import { OpenAICompatibleProvider } from "../../src/providers/openai-compatible.ts";
import type { Provider, ProviderRequest } from "../../src/providers/types.ts";
import { reply, startFakeAnthropic } from "../fakes/anthropic.ts";
import { oai, startFakeOpenAI } from "../fakes/openai.ts";
import { measure as timed } from "./measure.ts";

const measure = (name: string, n: number, fn: () => Promise<unknown> | unknown) => timed(name, n, fn, { warmup: 20, width: 48 });

configureLogging({ level: "error" });
const KEY = "sk-ant-bench-0123456789abcdef";
const TEXT = "word ".repeat(410).slice(0, 2048);
const ant = await startFakeAnthropic({ fallback: reply.text(TEXT, { chunkSize: 8 }) });
const chat = await startFakeOpenAI({ fallback: oai.text(TEXT, { chunkSize: 8 }) });
const req: ProviderRequest = { model: "m", system: "s", messages: [{ role: "user", content: [{ type: "text", text: "go" }] }], tools: [], maxTokens: 1000 };


async function drain(p: Provider): Promise<void> {
  let n = 0;
  for await (const ev of p.stream(req)) if (ev.type === "text_delta") n++;
  if (n < 200) throw new Error(`expected ~256 deltas, got ${n}`);
}

async function rawFetch(url: string, headers: Record<string, string>, body: unknown): Promise<void> {
  const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) });
  await res.arrayBuffer();
}

const anthropic = new AnthropicProvider({ apiKey: new ApiKey(KEY), baseURL: ant.url });
const openai = new OpenAICompatibleProvider({ id: "bench", baseUrl: `${chat.url}/v1` });
const N = 500;
console.log(`providers: ${N} turns each, 2 KB reply in 256 deltas, fake server in-process`);
await measure("baseline: fetch + read body (Messages SSE)", N, () =>
  rawFetch(`${ant.url}/v1/messages`, { "x-api-key": KEY, "anthropic-version": "2023-06-01" }, { model: "m", max_tokens: 10, messages: [], stream: true }),
);
await measure("AnthropicProvider.stream (SDK, assembled)", N, () => drain(anthropic));
await measure("baseline: fetch + read body (chat SSE)", N, () => rawFetch(`${chat.url}/v1/chat/completions`, {}, { model: "m", messages: [], stream: true }));
await measure("OpenAICompatibleProvider.stream (assembled)", N, () => drain(openai));
await Promise.all([ant.stop(), chat.stop()]);

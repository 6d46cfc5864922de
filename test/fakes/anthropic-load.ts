/**
 * A fake Anthropic Messages API for load: `POST /v1/messages` with `stream: true` answers the same
 * SSE event sequence as the scripted fake (`messageFrames` in anthropic.ts: message_start, ping,
 * content_block_start/delta/stop, message_delta, message_stop), answering one short text reply, after
 * the same header checks (an API key, `anthropic-version`). Unlike the scripted fake it records
 * nothing and runs on Bun.serve, so its own memory and CPU stay flat over a million requests and
 * the process it measures is the only one that grows.
 *
 *   bun test/fakes/anthropic-load.ts [--port N]   prints FAKE_ANTHROPIC_URL=<url>, serves until SIGTERM
 *
 * `GET /_fake/stats` answers `{ requests, bytesIn }` (how many requests, request body bytes).
 */
import { messageFrames, reply } from "./anthropic.ts";
import { portArg } from "./http-fake.ts";

const enc = new TextEncoder();
const decoder = new TextDecoder();
const MODEL = /"model":"([^"]*)"/;
const REPLY = reply.text("ok, noted.") as Extract<ReturnType<typeof reply.text>, { kind: "message" }>;

export function startLoadFake(port = 0): { url: string; stop(): void; stats: { requests: number; bytesIn: number } } {
  const stats = { requests: 0, bytesIn: 0 };
  const error = (status: number, type: string, message: string) =>
    Response.json({ type: "error", error: { type, message } }, { status, headers: { "request-id": `req_load_${stats.requests}` } });
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port,
    async fetch(req) {
      const path = new URL(req.url).pathname;
      if (req.method === "GET" && path === "/_fake/stats") return Response.json(stats);
      if (req.method !== "POST" || path !== "/v1/messages") return error(404, "not_found_error", `fake-anthropic-load: no route ${req.method} ${path}`);
      const body = new Uint8Array(await req.arrayBuffer());
      stats.requests++;
      stats.bytesIn += body.length;
      if (!req.headers.get("x-api-key") && !req.headers.get("authorization")) return error(401, "authentication_error", "invalid x-api-key");
      if (!req.headers.get("anthropic-version")) return error(400, "invalid_request_error", "anthropic-version header is required");
      // constant work per request whatever its size (no parse of the history): the top-level keys
      // are looked for in the body's last KiB first (where our gateway puts them, after the
      // messages), then in the whole body; what grows with the session's length in a benchmark is
      // then the gateway's, not the fake's
      const tail = decoder.decode(body.subarray(Math.max(0, body.length - 1024)));
      let decoded: string | undefined;
      const whole = () => (decoded ??= decoder.decode(body));
      const streaming = tail.includes('"stream":true') || whole().includes('"stream":true');
      if (body[0] !== 123 || !streaming) return error(400, "invalid_request_error", "fake-anthropic-load: a streaming JSON request is required");
      const model = (MODEL.exec(tail) ?? MODEL.exec(whole()))?.[1] ?? "claude-fake";
      const { frames } = messageFrames({ ...REPLY, usage: { input_tokens: Math.ceil(body.length / 4) } }, { method: "POST", path, headers: {}, body: { model, messages: [] } });
      let out = "";
      for (const f of frames) out += `event: ${f.event}\ndata: ${f.data}\n\n`;
      return new Response(enc.encode(out), { headers: { "content-type": "text/event-stream", "cache-control": "no-cache" } });
    },
  });
  return { url: `http://127.0.0.1:${server.port}`, stop: () => void server.stop(true), stats };
}

if ((import.meta as ImportMeta & { main?: boolean }).main) {
  const fake = startLoadFake(portArg(process.argv.slice(2)));
  console.log(`FAKE_ANTHROPIC_URL=${fake.url}`);
  process.on("SIGTERM", () => {
    fake.stop();
    process.exit(0);
  });
}

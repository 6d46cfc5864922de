// The model API of the cluster rig: the Anthropic Messages wire format of test/fakes/anthropic.ts
// (its `messageFrames` and the shared SSE playback), answering every request with an echo of the last
// user text, and recording for each request which node sent it (each node's baseUrl ends in its name:
// `<url>/n2/v1/messages`), when it started and when its response ended. The cluster tests read the
// records to prove that no two model requests of one session overlapped, across nodes.
//
// Directives in the user text: `[hold]` streams a few deltas, then keeps the response open until the
// client goes away (a run that is in flight until its node dies); `[slow=N]` waits N ms before it
// answers (then sends the whole stream and ends it in one go, so `end` is exact: the node cannot have
// read the last frame before it is recorded); `[big=N]` answers N more characters (past the NOTIFY
// payload limit of 8000 bytes).
import { messageFrames, reply } from "../fakes/anthropic.ts";
import { json, playReply, startHttpFake } from "../fakes/http-fake.ts";

export interface ModelCall {
  /** the node's name (n1, n2 …), from the request path */
  node: string;
  /** the last text block of the request's last user message (what the echo answers) */
  text: string;
  /** the text blocks of every user message in the request, oldest first (the history the node read) */
  userTexts: string[];
  /** the texts of every assistant message in the request, oldest first */
  assistantTexts: string[];
  start: number;
  /** when the response ended (null while it is in flight) */
  end: number | null;
}

export interface ClusterFake {
  url: string;
  calls: ModelCall[];
  stop(): Promise<void>;
}

const num = (text: string, name: string): number | undefined => {
  const m = new RegExp(`\\[${name}=(\\d+)\\]`).exec(text);
  return m ? Number(m[1]) : undefined;
};

/** The echo the fake answers to `text` (the assistant's whole text). */
export function echoOf(text: string): string {
  const big = num(text, "big");
  return big === undefined ? `echo: ${text}` : `echo: ${text} ` + "x".repeat(big);
}

function textsOf(messages: Array<{ role: string; content: unknown }> = [], role: "user" | "assistant"): string[] {
  return messages.flatMap((m) => {
    if (m.role !== role) return [];
    if (typeof m.content === "string") return [m.content];
    return (m.content as Array<{ type: string; text?: string }>).filter((b) => b.type === "text").map((b) => b.text ?? "");
  });
}

export async function startClusterFake(): Promise<ClusterFake> {
  const calls: ModelCall[] = [];
  const http = await startHttpFake(
    async (req, raw, res) => {
      const m = /^\/([a-z0-9]+)\/v1\/messages$/.exec(req.path);
      if (req.method !== "POST" || !m) return json(res, 404, { type: "error", error: { type: "not_found_error", message: `cluster fake: no route ${req.method} ${req.path}` } });
      if (req.body?.stream !== true) return json(res, 400, { type: "error", error: { type: "invalid_request_error", message: "cluster fake: stream: true expected" } });
      // the last text block only: a user message left without an answer (an interrupted run) is merged
      // into the next one's request, and its directives must not apply again
      const text = textsOf(req.body.messages, "user").at(-1) ?? "";
      const call: ModelCall = { node: m[1]!, text, userTexts: textsOf(req.body.messages, "user"), assistantTexts: textsOf(req.body.messages, "assistant"), start: performance.now(), end: null };
      calls.push(call);
      const hold = text.includes("[hold]");
      const slow = num(text, "slow");
      if (slow) await Bun.sleep(slow);
      const r = reply.text(echoOf(text), { hold, chunkSize: 4096 }) as Extract<ReturnType<typeof reply.text>, { kind: "message" }>;
      const { frames, cutAt } = messageFrames(r, req);
      try {
        await playReply(raw, res, frames, cutAt, r);
      } finally {
        call.end = performance.now();
      }
    },
    { enqueue: () => {}, reset: () => void (calls.length = 0) },
  );
  return { url: http.url, calls, stop: http.stop };
}

/** Pairs of model calls of one session (by `sessionOf(text)`) whose [start, end] overlap. */
export function overlaps(calls: ModelCall[], sessionOf: (text: string) => string | undefined): Array<[ModelCall, ModelCall]> {
  const bySession = new Map<string, ModelCall[]>();
  for (const c of calls) {
    const s = sessionOf(c.text);
    if (s === undefined) continue;
    if (!bySession.has(s)) bySession.set(s, []);
    bySession.get(s)!.push(c);
  }
  const out: Array<[ModelCall, ModelCall]> = [];
  for (const list of bySession.values()) {
    const sorted = [...list].sort((a, b) => a.start - b.start);
    for (let i = 1; i < sorted.length; i++) {
      const prev = sorted[i - 1]!;
      const cur = sorted[i]!;
      if (prev.end === null || prev.end > cur.start) out.push([prev, cur]);
    }
  }
  return out;
}

import { describe, expect, test } from "bun:test";
import { SUMMARY_SYSTEM_PROMPT } from "../../src/agent/compaction.ts";
import type { AgentEvent } from "../../src/agent/types.ts";
import { say, ScriptedProvider } from "../fakes/scripted-provider.ts";
import { allEvents, makeRuntime } from "./helpers.ts";

const big = (tag: string) => `${tag} ${"lorem ipsum ".repeat(40)}`; // ~490 chars ≈ 120 tokens

describe("compaction", () => {
  test("a small window triggers a summary request, a stored compaction event, and the run continues", async () => {
    let summaries = 0;
    const provider = new ScriptedProvider((req) => {
      if (req.system === SUMMARY_SYSTEM_PROMPT) return say.text(`SUMMARY#${++summaries}`);
      const last = req.messages.at(-1)!.content.find((b) => b.type === "text");
      return say.text(big(`re:${last && last.type === "text" ? last.text.slice(0, 3) : ""}`));
    });
    const { runtime, store } = makeRuntime(provider, { contextWindow: 700, reserveTokens: 100, systemPrompt: "S" });
    const compactions: AgentEvent[] = [];
    runtime.onEvent((e) => e.type === "compaction" && compactions.push(e));

    await runtime.processMessage("c", big("q1"));
    await runtime.processMessage("c", big("q2"));
    expect(provider.requests.every((r) => r.system !== SUMMARY_SYSTEM_PROMPT)).toBe(true);
    const res = await runtime.processMessage("c", big("q3"));
    expect(res.outcome).toBe("ok");

    const sumReq = provider.requests.find((r) => r.system === SUMMARY_SYSTEM_PROMPT)!;
    expect(sumReq.tools).toEqual([]);
    const transcript = (sumReq.messages[0]!.content[0] as { text: string }).text;
    expect(transcript).toContain("User: q1");
    expect(compactions.length).toBe(1);
    expect(compactions[0]).toMatchObject({ summaryChars: "SUMMARY#1".length });

    const stored = await allEvents(store, "c");
    const comp = stored.find((e) => e.type === "compaction")!;
    const userSeqs = stored.filter((e) => e.type === "user_message").map((e) => e.seq);
    expect(comp.data).toMatchObject({ type: "compaction", summary: "SUMMARY#1", runId: res.runId });
    if (comp.data.type !== "compaction") throw new Error();
    expect(userSeqs).toContain(comp.data.throughSeq);
    expect(comp.data.throughSeq).toBeLessThan(userSeqs[2]!);
    expect(comp.data.tokensBefore).toBeGreaterThan(600);

    // the request after the summary carries the summary instead of the summarised turns
    const after = provider.requests[provider.requests.indexOf(sumReq) + 1]!;
    const sent = JSON.stringify(after.messages);
    expect(sent).toContain("SUMMARY#1");
    expect(sent).not.toContain("q1 lorem");
    expect(sent).toContain("q3 lorem");

    // the next run starts from the stored summary
    await runtime.processMessage("c", "short");
    const next = provider.requests.at(-1)!;
    expect(JSON.stringify(next.messages)).toContain("SUMMARY#");
    expect(JSON.stringify(next.messages)).not.toContain("q1 lorem");
  });

  test("a failed summary request is skipped and the run still completes", async () => {
    const provider = new ScriptedProvider((req) =>
      req.system === SUMMARY_SYSTEM_PROMPT ? say.error("summary failed") : say.text(big("reply")),
    );
    const { runtime, store } = makeRuntime(provider, { contextWindow: 500, reserveTokens: 100, systemPrompt: "S" });
    await runtime.processMessage("f", big("q1"));
    const res = await runtime.processMessage("f", big("q2"));
    expect(res.outcome).toBe("ok");
    expect(provider.requests.some((r) => r.system === SUMMARY_SYSTEM_PROMPT)).toBe(true);
    expect((await allEvents(store, "f")).some((e) => e.type === "compaction")).toBe(false);
  });
});

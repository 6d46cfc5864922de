/**
 * A run's writes to the session log. `defer` holds an event until the next `write`, which stores
 * everything held plus its own events in one appendMany (one commit): that is how `run_started`
 * rides on the run's next write. Events the loop built from checked parts take the store's trusted
 * path; anything else (tool calls and results, images) is validated by the store.
 */
import type { StoredEvent } from "../core/events.ts";
import type { Message, Usage } from "../core/messages.ts";
import type { AppendInput, SessionStore } from "../store/types.ts";

export interface LogEntry {
  input: AppendInput;
  trusted: boolean;
}

/** True when every block is a text block with a string: a message that needs no schema walk to store. */
export function isPlainText(m: Message): boolean {
  if (m.role !== "user" && m.role !== "assistant") return false;
  for (const b of m.content) if (b.type !== "text" || typeof b.text !== "string") return false;
  return true;
}

export function isUsage(u: Usage | undefined): boolean {
  return !!u && Number.isSafeInteger(u.inputTokens) && Number.isSafeInteger(u.outputTokens) && Number.isSafeInteger(u.cacheReadTokens) &&
    Number.isSafeInteger(u.cacheWriteTokens) && u.inputTokens >= 0 && u.outputTokens >= 0 && u.cacheReadTokens >= 0 && u.cacheWriteTokens >= 0;
}

export function assistantEntry(runId: string, message: Message, stopReason: string, step: { usage: Usage; model?: string }): LogEntry {
  return {
    input: { data: { type: "assistant_message", runId, message, stopReason, ...(step.model ? { model: step.model } : {}), usage: step.usage } },
    trusted: isPlainText(message) && isUsage(step.usage),
  };
}

export class RunLog {
  #held: LogEntry[] = [];
  constructor(
    private readonly store: SessionStore,
    private readonly sessionKey: string,
    private readonly stored: (events: StoredEvent[]) => void,
  ) {}

  defer(entry: LogEntry): void {
    this.#held.push(entry);
  }

  /** Stores the held events and `items` atomically; on failure the held events stay held. */
  async write(...items: LogEntry[]): Promise<void> {
    const all = this.#held.length ? [...this.#held, ...items] : items;
    if (all.length === 0) return;
    const held = this.#held;
    this.#held = [];
    try {
      this.stored(await this.store.appendMany(this.sessionKey, all.map((i) => i.input), { trusted: all.every((i) => i.trusted) }));
    } catch (err) {
      this.#held = held;
      throw err;
    }
  }
}

/**
 * One session's chat: its messages (history, then the live `chat.event` stream), sending,
 * aborting. The list is bounded: at most MAX_MESSAGES while the reader follows the bottom (older
 * ones are dropped from state and the DOM and come back through `loadOlder`, which pages
 * `chat.history`), HARD_MAX while the reader is scrolled up reading old ones.
 * Events are not replayed by the gateway: after a reconnect the history is read again.
 */
import { reactive, ref, shallowRef } from "vue";
import type { Connection } from "./connection.ts";
import { applyEvent, assistantMessage, entriesToMessages, localId, userMessage, type ChatMessage } from "../lib/chat-model.ts";
import { RpcError, messageOf } from "../rpc/errors.ts";
import type { HistoryEntry, Notifications } from "../rpc/types.ts";

export const MAX_MESSAGES = 200;
export const HARD_MAX = 600;
const PAGE = 100;

export function createChat(conn: Connection) {
  const sessionKey = ref<string | null>(null);
  const messages = shallowRef<ChatMessage[]>([]);
  const activeRunId = ref<string | null>(null);
  const lastOutcome = ref<string | null>(null);
  const hasOlder = ref(false);
  const loading = ref(false);
  const error = ref<string | null>(null);
  /** set by the view: is the reader at the bottom of the list? */
  const pinned = ref(true);
  let version = 0;

  const set = (list: ChatMessage[]) => {
    messages.value = list;
  };

  function push(m: ChatMessage): ChatMessage {
    const r = reactive(m) as ChatMessage;
    let list = [...messages.value, r];
    const cap = pinned.value ? MAX_MESSAGES : HARD_MAX;
    if (list.length > cap) {
      list = list.slice(list.length - cap);
      hasOlder.value = true;
    }
    set(list);
    return r;
  }

  function runMessage(runId: string): ChatMessage {
    const list = messages.value;
    for (let i = list.length - 1; i >= 0 && i >= list.length - 8; i--) {
      const m = list[i]!;
      if (m.runId === runId && m.role === "assistant") return m;
    }
    return push(assistantMessage(runId, true));
  }

  /**
   * A run started elsewhere (another tab, Telegram, the CLI): the stream carries no user message,
   * so read it from the latest history page (stored with or before `run_started`; a message queued
   * behind a long run is further back than the run's own entries) and put it before the reply.
   */
  async function fetchUserMessage(key: string, runId: string) {
    const v = version;
    const hasUser = () => messages.value.some((m) => m.role === "user" && m.runId === runId);
    try {
      const entry = (await history(key, undefined, PAGE)).entries.find((e) => e.kind === "message" && e.role === "user" && e.runId === runId);
      if (v !== version || !entry || entry.kind !== "message" || hasUser()) return;
      const user = reactive(userMessage(runId, entry.text, entry.seq)) as ChatMessage;
      const list = [...messages.value];
      const at = list.findIndex((m) => m.runId === runId);
      list.splice(at < 0 ? list.length : at, 0, user);
      set(list);
    } catch {
      // the reply still shows; a reload reads the whole history
    }
  }

  function onEvent(p: Notifications["chat.event"]) {
    if (p.sessionKey !== sessionKey.value) return;
    if (p.event.type === "run_started" && !messages.value.some((m) => m.role === "user" && m.runId === p.runId)) void fetchUserMessage(p.sessionKey, p.runId);
    const outcome = applyEvent({ ...p.event, runId: p.runId }, () => runMessage(p.runId));
    if (outcome !== undefined) {
      lastOutcome.value = outcome;
      if (activeRunId.value === p.runId) activeRunId.value = null;
    } else activeRunId.value = p.runId;
  }

  async function history(key: string, before?: number, limit = PAGE): Promise<{ entries: HistoryEntry[]; nextBefore?: number }> {
    try {
      return await conn.call("chat.history", { sessionKey: key, limit, ...(before !== undefined ? { before } : {}) });
    } catch (err) {
      if (err instanceof RpcError && err.code === -32003) return { entries: [] }; // a new session: nothing stored yet
      throw err;
    }
  }

  /** Read the latest page and (re)subscribe. Called on select and after every reconnect. */
  async function reload() {
    const key = sessionKey.value;
    if (!key) return;
    const v = ++version;
    loading.value = true;
    error.value = null;
    try {
      await conn.call("sessions.subscribe", { sessionKey: key }).catch((err: unknown) => {
        if (!(err instanceof RpcError && err.code === -32003)) throw err;
      });
      const page = await history(key);
      if (v !== version) return;
      const built = entriesToMessages(page.entries);
      set(built.messages.slice(-MAX_MESSAGES).map((m) => reactive(m) as ChatMessage));
      hasOlder.value = page.nextBefore !== undefined || built.messages.length > MAX_MESSAGES;
      lastOutcome.value = built.lastOutcome ?? null;
    } catch (err) {
      if (v === version) error.value = messageOf(err);
    } finally {
      if (v === version) loading.value = false;
    }
  }

  async function select(key: string) {
    const old = sessionKey.value;
    if (old === key) return;
    if (old) void conn.call("sessions.unsubscribe", { sessionKey: old }).catch(() => {});
    sessionKey.value = key;
    activeRunId.value = null;
    lastOutcome.value = null;
    hasOlder.value = false;
    set([]);
    await reload();
  }

  /** Where to page back from: the oldest kept message's seq, or (for streamed ones) its run found in history. */
  async function olderPage(key: string, oldest: ChatMessage): Promise<HistoryEntry[]> {
    if (oldest.seq !== undefined) return (await history(key, oldest.seq)).entries;
    let before: number | undefined;
    for (let i = 0; i < 10; i++) {
      const page = await history(key, before, 500);
      const idx = page.entries.findIndex((e) => "runId" in e && e.runId === oldest.runId);
      if (idx > 0) return page.entries.slice(Math.max(0, idx - PAGE), idx);
      if (idx === 0) return page.nextBefore !== undefined ? (await history(key, page.entries[0]!.seq)).entries : [];
      if (page.nextBefore === undefined) return [];
      before = page.nextBefore;
    }
    return [];
  }

  async function loadOlder() {
    const key = sessionKey.value;
    const oldest = messages.value[0];
    if (!key || !oldest || loading.value) return;
    const v = version;
    loading.value = true;
    try {
      const entries = await olderPage(key, oldest);
      if (v !== version) return;
      const older = entriesToMessages(entries).messages.map((m) => reactive(m) as ChatMessage);
      const list = [...older, ...messages.value];
      set(list.length > HARD_MAX ? list.slice(0, HARD_MAX) : list);
      hasOlder.value = older.length > 0 && (entries[0]?.seq ?? 1) > 1;
    } catch (err) {
      error.value = messageOf(err);
    } finally {
      loading.value = false;
    }
  }

  async function send(text: string): Promise<boolean> {
    const key = sessionKey.value;
    if (!key || !text.trim()) return false;
    error.value = null;
    const pending = push(userMessage("", text));
    pinned.value = true;
    try {
      const r = await conn.call("chat.send", { sessionKey: key, text, idempotencyKey: localId("idem") });
      pending.runId = r.runId;
      activeRunId.value = r.runId;
      // the answer comes before the run's events (docs/gateway.md): the reply shows as streaming at once
      if (!r.deduplicated) runMessage(r.runId);
      return true;
    } catch (err) {
      pending.parts = [...pending.parts];
      pending.error = messageOf(err);
      error.value = messageOf(err);
      return false;
    }
  }

  async function abort() {
    const key = sessionKey.value;
    if (!key) return;
    try {
      await conn.call("chat.abort", activeRunId.value ? { runId: activeRunId.value } : { sessionKey: key });
    } catch (err) {
      error.value = messageOf(err);
    }
  }

  const offEvent = conn.on("chat.event", onEvent);
  const offOpen = conn.onOpen(() => void reload());
  const dispose = () => {
    offEvent();
    offOpen();
  };

  return { sessionKey, messages, activeRunId, lastOutcome, hasOlder, loading, error, pinned, select, reload, loadOlder, send, abort, dispose };
}

export type Chat = ReturnType<typeof createChat>;

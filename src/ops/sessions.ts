/**
 * What `openclaw sessions list|show|export|delete` do, through the running gateway or on the
 * store when none runs (fallback.ts). Each returns plain data plus `source` ("gateway" | "store"),
 * so the CLI prints it, `--json` serialises it and the dashboard could show it.
 */
import { z } from "zod";
import { InvalidParamsError, NotFoundError } from "../core/errors.ts";
import { toHistoryEntry, type HistoryEntry } from "../gateway/history-entries.ts";
import type { SessionRecord } from "../store/types.ts";
import { viaGatewayOrStore, type Source } from "./fallback.ts";
import { callGateway, type ClientOptions } from "./gateway-client.ts";
import { jsonlToMarkdown } from "./transcript.ts";

export const ExportFormatSchema = z.enum(["jsonl", "md"]);
export type ExportFormat = z.infer<typeof ExportFormatSchema>;

export type SessionRow = SessionRecord & { active?: boolean };

export interface ListOptions {
  limit?: number;
  cursor?: string;
  agentId?: string;
  channel?: string;
}

function checkKey(key: string): string {
  const k = key.trim();
  if (!k || k.length > 512) throw new InvalidParamsError("a session key is 1-512 characters, such as agent:main:main (see openclaw sessions list)");
  return k;
}

const noSession = (key: string) => new NotFoundError(`no session ${key}; openclaw sessions list shows the keys`);

export async function listSessions(opts: ListOptions = {}, client?: ClientOptions): Promise<{ source: Source; sessions: SessionRow[]; nextCursor?: string }> {
  const limit = opts.limit ?? 50;
  if (!Number.isInteger(limit) || limit < 1 || limit > 500) throw new InvalidParamsError(`--limit must be a whole number from 1 to 500, got ${opts.limit}`);
  const params = { limit, ...(opts.cursor ? { cursor: opts.cursor } : {}), ...(opts.agentId ? { agentId: opts.agentId } : {}), ...(opts.channel ? { channel: opts.channel } : {}) };
  const r = await viaGatewayOrStore<{ sessions: SessionRow[]; nextCursor?: string }, { sessions: SessionRow[]; nextCursor?: string }>(
    {
      method: "sessions.list",
      params,
      write: false,
      remote: (x) => x,
      missing: () => ({ sessions: [] }),
      local: async (s) => {
        const page = await s.listSessions(params);
        return { sessions: page.items, ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}) };
      },
    },
    client,
  );
  return { source: r.source, ...r.data };
}

export interface SessionDetail {
  source: Source;
  session: SessionRecord;
  /** runs in flight (known only to a running gateway) */
  runs: unknown[];
  /** the latest entries, oldest first */
  entries: HistoryEntry[];
}

export async function showSession(key: string, opts: { limit?: number } = {}, client?: ClientOptions): Promise<SessionDetail> {
  const sessionKey = checkKey(key);
  const limit = opts.limit ?? 20;
  if (!Number.isInteger(limit) || limit < 1 || limit > 500) throw new InvalidParamsError(`--limit must be a whole number from 1 to 500, got ${opts.limit}`);
  const r = await viaGatewayOrStore<{ session: SessionRecord; runs: unknown[] }, Omit<SessionDetail, "source">>(
    {
      method: "sessions.get",
      params: { sessionKey },
      write: false,
      missing: () => Promise.reject(noSession(sessionKey)),
      remote: async (got) => {
        const h = await callGateway<{ entries: HistoryEntry[] }>("chat.history", { sessionKey, limit }, client);
        return { session: got.session, runs: got.runs, entries: h.reachable ? h.result.entries : [] };
      },
      local: async (s) => {
        const session = await s.getSession(sessionKey);
        if (!session) throw noSession(sessionKey);
        return { session, runs: [], entries: (await s.readLatest(sessionKey, limit)).map(toHistoryEntry) };
      },
    },
    client,
  );
  return { source: r.source, ...r.data };
}

export async function exportSession(key: string, format: ExportFormat = "jsonl", client?: ClientOptions): Promise<{ source: Source; sessionKey: string; format: ExportFormat; text: string }> {
  const sessionKey = checkKey(key);
  const fmt = ExportFormatSchema.safeParse(format);
  if (!fmt.success) throw new InvalidParamsError(`--format must be jsonl or md, got ${JSON.stringify(format)}`);
  const r = await viaGatewayOrStore<{ jsonl: string }, string>(
    {
      method: "sessions.export",
      params: { sessionKey },
      write: false,
      remote: (x) => x.jsonl,
      missing: () => Promise.reject(noSession(sessionKey)),
      local: async (s) => {
        if (!(await s.getSession(sessionKey))) throw noSession(sessionKey);
        return s.exportJsonl(sessionKey);
      },
    },
    client,
  );
  const text = fmt.data === "md" ? jsonlToMarkdown(r.data, sessionKey) : r.data;
  return { source: r.source, sessionKey, format: fmt.data, text };
}

export async function deleteSession(key: string, client?: ClientOptions): Promise<{ source: Source; sessionKey: string; deleted: boolean }> {
  const sessionKey = checkKey(key);
  const r = await viaGatewayOrStore<{ deleted: boolean }, boolean>(
    { method: "sessions.delete", params: { sessionKey }, write: true, remote: (x) => x.deleted, local: (s) => s.deleteSession(sessionKey), missing: () => false },
    client,
  );
  if (!r.data) throw noSession(sessionKey);
  return { source: r.source, sessionKey, deleted: true };
}

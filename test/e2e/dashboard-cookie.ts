// What a dashboard session cookie opens outside the browser: `/ws` with that cookie (and the page's
// own Origin) and no auth frame, then one `status` call. Used to prove logout revoked the session.
import { WsClient } from "../gateway/helpers.ts";

export type CookieProbe =
  | { opened: false; detail: string }
  | { opened: true; status: "ok" | "refused"; detail: string; client: WsClient };

/** Opens `/ws` with `cookie` and calls `status`; bounded, never hangs on a socket the gateway closed. */
export async function probeCookie(origin: string, cookie: string, timeoutMs = 10_000): Promise<CookieProbe> {
  const client = new WsClient(`${origin.replace(/^http/, "ws")}/ws`, { headers: { cookie, origin } });
  const opened = await Promise.race([
    client.opened.then(() => "open" as const, () => "error" as const),
    client.closedP.then(() => "closed" as const),
    Bun.sleep(timeoutMs).then(() => "timeout" as const),
  ]);
  if (opened !== "open") return { opened: false, detail: opened };
  const answer = await Promise.race([client.call("status", {}), client.closedP.then((c) => ({ closed: c })), Bun.sleep(timeoutMs).then(() => ({ timeout: true }))]);
  const ok = (answer as { result?: unknown }).result !== undefined;
  return { opened: true, status: ok ? "ok" : "refused", detail: JSON.stringify(answer), client };
}

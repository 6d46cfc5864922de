/**
 * What `openclaw pairing list|approve|deny` do: the pairing domain functions (pairing/requests.ts),
 * through the running gateway's `pairing.*` methods when it is up, on the store when it is not.
 * An unknown or expired code is NotFoundError either way.
 */
import { approvePairing, denyPairing, listPairings, type PairingView } from "../pairing/requests.ts";
import type { PairingRecord } from "../store/types.ts";
import { viaGatewayOrStore, type Source } from "./fallback.ts";
import type { ClientOptions } from "./gateway-client.ts";

export async function listPairingRequests(channel: string | undefined, opts: { all?: boolean } = {}, client?: ClientOptions): Promise<{ source: Source; requests: PairingView[] }> {
  const all = opts.all === true;
  const r = await viaGatewayOrStore<{ requests: PairingView[] }, PairingView[]>(
    {
      method: "pairing.list",
      params: { ...(channel ? { channel } : {}), all },
      write: false,
      remote: (x) => x.requests,
      missing: () => [],
      local: (s) => listPairings(s, channel, { all }),
    },
    client,
  );
  return { source: r.source, requests: r.data };
}

export async function decidePairing(decision: "approve" | "deny", channel: string, code: string, client?: ClientOptions): Promise<{ source: Source; request: PairingRecord }> {
  const fn = decision === "approve" ? approvePairing : denyPairing;
  const r = await viaGatewayOrStore<{ request: PairingRecord }, PairingRecord>(
    { method: `pairing.${decision}`, params: { channel, code }, write: true, remote: (x) => x.request, local: (s) => fn(s, channel, code) },
    client,
  );
  return { source: r.source, request: r.data };
}

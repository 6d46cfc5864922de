/**
 * One client frame in, at most one frame out: decode with the connection's codec, dispatch every
 * call (a batch's calls concurrently), encode the answers in order. Shared by `POST /rpc` and the
 * WebSocket connection. Never throws.
 */
import { internalError } from "./client-error.ts";
import type { Codec, DecodeLimits, DecodedItem } from "./codec.ts";
import type { Dispatcher } from "./rpc/dispatch.ts";
import type { CallContext } from "./rpc/method.ts";

async function answerItem<Ref>(codec: Codec<Ref>, dispatcher: Dispatcher, item: DecodedItem<Ref>, ctx: CallContext): Promise<string | null> {
  if ("error" in item) return codec.encodeError(item.ref, item.error);
  const out = await dispatcher.dispatch(item.method, item.params, ctx);
  if (!out.ok) return codec.encodeError(item.ref, out.error);
  try {
    return codec.encodeResult(item.ref, out.result);
  } catch {
    // a result that cannot be serialised (a cycle, a BigInt) is the method's bug, not the client's
    return codec.encodeError(item.ref, internalError());
  }
}

export async function answerFrame<Ref>(codec: Codec<Ref>, dispatcher: Dispatcher, frame: string, ctx: CallContext, limits: DecodeLimits): Promise<string | null> {
  const decoded = codec.decode(frame, limits);
  if (decoded.kind === "invalid") return codec.encodeError(decoded.ref, decoded.error);
  const first = decoded.items[0];
  if (!decoded.batch) return first ? answerItem(codec, dispatcher, first, ctx) : null;
  const parts = await Promise.all(decoded.items.map((item) => answerItem(codec, dispatcher, item, ctx)));
  return codec.encodeBatch(parts.filter((p): p is string => p !== null));
}

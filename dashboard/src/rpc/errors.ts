/** A JSON-RPC error as the gateway sends it: `code` from docs/gateway.md, `data.details` for invalid params or config. */
export interface ErrorDetail {
  path: string;
  message: string;
}

export class RpcError extends Error {
  override readonly name = "RpcError";
  constructor(
    message: string,
    readonly code: number,
    readonly data?: { type?: string; details?: ErrorDetail[] },
  ) {
    super(message);
  }

  get details(): ErrorDetail[] {
    return Array.isArray(this.data?.details) ? this.data.details : [];
  }
}

/** The socket closed (or was never open) before the answer came. */
export class DisconnectedError extends Error {
  override readonly name = "DisconnectedError";
  constructor(message = "not connected to the gateway; waiting to reconnect") {
    super(message);
  }
}

/** A readable message for any failure a page shows. */
export function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

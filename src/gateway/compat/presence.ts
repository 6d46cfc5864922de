/**
 * OpenClaw's presence: who is connected. One entry for the gateway itself (`reason: "self"`) and
 * one per authenticated OpenClaw connection (its `client` from `connect`, `reason: "connect"`),
 * newest first, as OpenClaw's `PresenceEntry`. It is the hello-ok snapshot's `presence`, the answer
 * to `system-presence`, and the payload of the `presence` event every read-scoped OpenClaw client
 * gets when a connection joins or leaves (the frame carries `stateVersion.presence`, counted up on
 * each change, as OpenClaw does). IPs are not listed (OpenClaw lists none for local clients either).
 */
import { hostname, platform, release } from "node:os";

export interface PresenceClient {
  id: string;
  version: string;
  platform: string;
  mode: string;
  deviceFamily?: string | undefined;
  displayName?: unknown;
  instanceId?: unknown;
}

export interface PresenceEntry {
  host: string;
  clientId?: string;
  version: string;
  platform: string;
  deviceFamily?: string;
  mode: string;
  reason: string;
  deviceId?: string;
  roles?: string[];
  scopes?: string[];
  instanceId?: string;
  text: string;
  ts: number;
}

/** At most this many connection entries (a gateway's connections are bounded well below it). */
const MAX_ENTRIES = 10_000;
const short = (v: unknown, max = 128): string | undefined => (typeof v === "string" && v.length > 0 ? v.slice(0, max) : undefined);

export class Presence {
  readonly #entries = new Map<string, PresenceEntry>();
  #version = 1;

  constructor(
    private readonly gatewayVersion: string,
    private readonly now: () => number = Date.now,
  ) {}

  get version(): number {
    return this.#version;
  }

  /** The connection `connId` joined; returns the new presence version. */
  join(connId: string, client: PresenceClient, extra: { deviceId?: string | undefined; scopes: string[] }): number {
    if (this.#entries.size >= MAX_ENTRIES) this.#entries.delete(this.#entries.keys().next().value!);
    const host = short(client.displayName) ?? client.id;
    const instanceId = short(client.instanceId);
    this.#entries.set(connId, {
      host,
      clientId: client.id,
      version: client.version,
      platform: client.platform,
      ...(client.deviceFamily ? { deviceFamily: client.deviceFamily } : {}),
      mode: client.mode,
      reason: "connect",
      ...(extra.deviceId ? { deviceId: extra.deviceId } : {}),
      roles: ["operator"],
      scopes: extra.scopes,
      ...(instanceId ? { instanceId } : {}),
      text: `Node: ${host} · mode ${client.mode}`,
      ts: this.now(),
    });
    return ++this.#version;
  }

  /** The connection left; false when it was never listed (nothing changed). */
  leave(connId: string): boolean {
    if (!this.#entries.delete(connId)) return false;
    this.#version++;
    return true;
  }

  list(): PresenceEntry[] {
    const host = hostname();
    const self: PresenceEntry = {
      host,
      version: this.gatewayVersion,
      platform: `${platform()} ${release()}`,
      deviceFamily: platform() === "linux" ? "Linux" : platform(),
      mode: "gateway",
      reason: "self",
      text: `Gateway: ${host} · app ${this.gatewayVersion} · mode gateway · reason self`,
      ts: this.now(),
    };
    return [self, ...[...this.#entries.values()].reverse()];
  }

  /** The `presence` event frame, with its state version. */
  frame(): string {
    return JSON.stringify({ type: "event", event: "presence", payload: { presence: this.list() }, stateVersion: { presence: this.#version, health: 0 } });
  }
}

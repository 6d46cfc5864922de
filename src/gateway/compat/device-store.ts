/**
 * Paired OpenClaw devices, one JSON file in the state dir (`devices/devices.json`, 0600 in a 0700
 * directory, written atomically). Read fresh on every connect, so `openclaw devices approve` takes
 * effect without a restart and the CLI needs no running gateway. A device token is 32 random bytes;
 * only its SHA-256 is stored, and it is bound to the role and scopes approved with it.
 */
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { z } from "zod";
import { stateDir } from "../../config/paths.ts";
import { ConfigError, NotFoundError } from "../../core/errors.ts";

export const MAX_DEVICES = 1000;

export const DeviceRecordSchema = z.object({
  id: z.string(),
  publicKey: z.string(),
  clientId: z.string(),
  platform: z.string(),
  ip: z.string(),
  role: z.string(),
  scopes: z.array(z.string()),
  status: z.enum(["pending", "approved", "rejected"]),
  createdAt: z.number(),
  decidedAt: z.number().optional(),
  lastSeenAt: z.number().optional(),
  /** sha256 hex of the device token; absent until approved, removed by revoke */
  tokenDigest: z.string().optional(),
});
export type DeviceRecord = z.infer<typeof DeviceRecordSchema>;
const FileSchema = z.object({ devices: z.array(DeviceRecordSchema) });

export const devicesPath = (): string => join(stateDir(), "devices", "devices.json");
const digest = (token: string) => createHash("sha256").update(token).digest("hex");

export class DeviceStore {
  constructor(readonly path: string = devicesPath()) {}

  list(): DeviceRecord[] {
    if (!existsSync(this.path)) return [];
    let parsed;
    try {
      parsed = FileSchema.safeParse(JSON.parse(readFileSync(this.path, "utf8")));
    } catch {
      throw new ConfigError(`${this.path} is not valid JSON; fix it or remove it (paired devices must then pair again)`);
    }
    if (!parsed.success) throw new ConfigError(`${this.path} does not hold a device list; fix it or remove it (paired devices must then pair again)`);
    return parsed.data.devices;
  }

  get(id: string): DeviceRecord | undefined {
    return this.list().find((d) => d.id === id);
  }

  /** Insert or replace one record (the oldest pending or rejected ones make room past the cap). */
  put(rec: DeviceRecord): void {
    const rest = this.list().filter((d) => d.id !== rec.id);
    while (rest.length >= MAX_DEVICES) {
      const i = rest.findIndex((d) => d.status !== "approved");
      rest.splice(i === -1 ? 0 : i, 1);
    }
    this.#write([...rest, rec]);
  }

  /** Approve (by id or an unambiguous 8+ character prefix): the device gets its token at its next connect. */
  approve(id: string, now: number): DeviceRecord {
    const { tokenDigest: _drop, ...rec } = this.#require(id);
    const device: DeviceRecord = { ...rec, status: "approved", decidedAt: now };
    this.put(device);
    return device;
  }

  /** A new device token for an approved device, bound to its role and scopes; only its digest is kept. */
  issueToken(id: string): string {
    const rec = this.#require(id);
    const token = randomBytes(32).toString("base64url");
    this.put({ ...rec, tokenDigest: digest(token) });
    return token;
  }

  reject(id: string, now: number): DeviceRecord {
    const { tokenDigest: _drop, ...rec } = this.#require(id);
    const device: DeviceRecord = { ...rec, status: "rejected", decidedAt: now };
    this.put(device);
    return device;
  }

  /** Forget the device: it must pair again. */
  revoke(id: string): DeviceRecord {
    const rec = this.#require(id);
    this.#write(this.list().filter((d) => d.id !== id));
    return rec;
  }

  /** Constant-time check of a presented device token against the stored digest. */
  tokenMatches(rec: DeviceRecord, token: string): boolean {
    if (!rec.tokenDigest || rec.status !== "approved") return false;
    return timingSafeEqual(Buffer.from(digest(token), "hex"), Buffer.from(rec.tokenDigest, "hex"));
  }

  #require(id: string): DeviceRecord {
    const all = this.list();
    const exact = all.find((d) => d.id === id);
    if (exact) return exact;
    // an unambiguous prefix of 8+ characters names a device too (ids are 64 hex characters)
    const prefixed = id.length >= 8 ? all.filter((d) => d.id.startsWith(id)) : [];
    if (prefixed.length > 1) throw new NotFoundError(`device id prefix ${id} matches ${prefixed.length} devices; give more of the id`);
    const found = prefixed[0];
    if (!found) throw new NotFoundError(`no device ${id}; \`openclaw devices list\` shows the devices there are`);
    return found;
  }

  #write(devices: DeviceRecord[]): void {
    mkdirSync(dirname(this.path), { recursive: true, mode: 0o700 });
    const tmp = `${this.path}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify({ devices }, null, 2) + "\n", { mode: 0o600 });
    chmodSync(tmp, 0o600);
    renameSync(tmp, this.path);
  }
}

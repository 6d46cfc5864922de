import { randomBytes } from "node:crypto";

/** Id kinds. An id is `<kind>_<26 chars>`: 10 chars of millisecond time then 16 random, Crockford base32, so ids sort by creation time. */
export type IdKind = "ses" | "run" | "evt" | "msg" | "tool" | "con" | "req";
export type Id<K extends IdKind = IdKind> = `${K}_${string}`;

const ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
let lastTime = 0;
let lastRandom: number[] = [];

function encodeTime(ms: number): string {
  let out = "";
  for (let i = 0; i < 10; i++) {
    out = ALPHABET[ms % 32] + out;
    ms = Math.floor(ms / 32);
  }
  return out;
}

function nextRandom(now: number): number[] {
  if (now === lastTime && lastRandom.length === 16) {
    // Same millisecond: increment so ids stay strictly increasing within a process.
    const r = [...lastRandom];
    for (let i = 15; i >= 0; i--) {
      if (r[i]! < 31) { r[i]!++; break; }
      r[i] = 0;
    }
    return r;
  }
  return Array.from(randomBytes(16), (b) => b % 32);
}

export function newId<K extends IdKind>(kind: K): Id<K> {
  const now = Date.now();
  const rnd = nextRandom(now);
  lastTime = now;
  lastRandom = rnd;
  return `${kind}_${encodeTime(now)}${rnd.map((n) => ALPHABET[n]).join("")}` as Id<K>;
}

export function isId(value: string, kind?: IdKind): boolean {
  const m = /^([a-z]+)_([0-9A-HJKMNP-TV-Z]{26})$/.exec(value);
  return m !== null && (kind === undefined || m[1] === kind);
}

/** Milliseconds since epoch encoded in an id. */
export function idTime(id: string): number {
  const body = id.slice(id.indexOf("_") + 1, id.indexOf("_") + 11);
  let ms = 0;
  for (const ch of body) ms = ms * 32 + ALPHABET.indexOf(ch);
  return ms;
}

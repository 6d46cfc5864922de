// DashboardAuth on its own: one-time codes and sessions under a fake clock.
import { describe, expect, test } from "bun:test";
import { DashboardAuth } from "../../src/gateway/dashboard-auth.ts";

function clocked(opts: ConstructorParameters<typeof DashboardAuth>[0] = {}) {
  const clock = { t: 1_700_000_000_000 };
  return { clock, auth: new DashboardAuth({ now: () => clock.t, ...opts }) };
}

describe("login codes", () => {
  test("128-bit base64url, valid for 60 s, single use", () => {
    const { clock, auth } = clocked();
    const { code, expiresAt } = auth.mintCode();
    expect(code).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(expiresAt).toBe(clock.t + 60_000);
    expect(auth.consumeCode(code)).toBe(true);
    expect(auth.consumeCode(code)).toBe(false);
  });
  test("an expired code is refused (and gone)", () => {
    const { clock, auth } = clocked();
    const { code } = auth.mintCode();
    clock.t += 60_000;
    expect(auth.consumeCode(code)).toBe(false);
    expect(auth.codeCount).toBe(0);
    const second = auth.mintCode().code;
    clock.t += 59_999;
    expect(auth.consumeCode(second)).toBe(true);
  });
  test("an unknown or empty code is refused; outstanding codes are bounded, oldest first", () => {
    const { auth } = clocked({ maxCodes: 3 });
    expect(auth.consumeCode("")).toBe(false);
    expect(auth.consumeCode("A".repeat(22))).toBe(false);
    const codes = [1, 2, 3, 4].map(() => auth.mintCode().code);
    expect(auth.codeCount).toBe(3);
    expect(auth.consumeCode(codes[0]!)).toBe(false);
    expect(auth.consumeCode(codes[3]!)).toBe(true);
  });
});

describe("sessions", () => {
  test("a 256-bit value; verify finds it, a different value does not", () => {
    const { auth } = clocked();
    const { value, session } = auth.createSession();
    expect(value).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(session.id).not.toContain(value);
    expect(auth.verify(value)?.id).toBe(session.id);
    expect(auth.verify(value.slice(0, -1) + (value.endsWith("A") ? "B" : "A"))).toBeNull();
    expect(auth.verify(undefined)).toBeNull();
    expect([...session.scopes].sort()).toEqual(["admin", "read", "write"]);
  });
  test("idle timeout 12 h: use keeps it alive, silence ends it", () => {
    const { clock, auth } = clocked();
    const { value } = auth.createSession();
    clock.t += 11 * 3_600_000;
    expect(auth.verify(value)).not.toBeNull();
    clock.t += 11 * 3_600_000;
    expect(auth.verify(value)).not.toBeNull(); // 22 h in, used 11 h ago
    clock.t += 12 * 3_600_000;
    expect(auth.verify(value)).toBeNull();
    expect(auth.sessionCount).toBe(0);
  });
  test("absolute limit 24 h even while in use", () => {
    const { clock, auth } = clocked();
    const { value, session } = auth.createSession();
    for (let h = 0; h < 23; h++) {
      clock.t += 3_600_000;
      expect(auth.verify(value)).not.toBeNull();
    }
    expect(auth.verify(value)!.expiresAt).toBe(session.createdAt + 24 * 3_600_000);
    clock.t += 3_600_000;
    expect(auth.verify(value)).toBeNull();
  });
  test("at most 64: the oldest is evicted and its sockets closed", () => {
    const { clock, auth } = clocked();
    const first = auth.createSession();
    const closed: string[] = [];
    auth.attach(first.session.id, () => closed.push("first"));
    const values = [first.value];
    for (let i = 1; i < 64; i++) {
      clock.t += 1;
      values.push(auth.createSession().value);
    }
    expect(auth.sessionCount).toBe(64);
    expect(closed).toEqual([]);
    auth.createSession();
    expect(auth.sessionCount).toBe(64);
    expect(auth.verify(values[0])).toBeNull();
    expect(auth.verify(values[1])).not.toBeNull();
    expect(closed).toEqual(["first"]);
  });
  test("revoke closes every attached socket once; a detached one is not closed", () => {
    const { auth } = clocked();
    const { value, session } = auth.createSession();
    const closed: string[] = [];
    auth.attach(session.id, () => closed.push("a"));
    const detach = auth.attach(session.id, () => closed.push("b"));
    detach();
    expect(auth.revoke(value)).toBe(true);
    expect(auth.revoke(value)).toBe(false);
    expect(closed).toEqual(["a"]);
    expect(auth.verify(value)).toBeNull();
  });
  test("a socket attached after its session ended (logout or expiry between upgrade and open) is closed at once", () => {
    const { clock, auth } = clocked();
    const closed: string[] = [];
    const revoked = auth.createSession();
    auth.revoke(revoked.value);
    auth.attach(revoked.session.id, () => closed.push("revoked"));
    const expired = auth.createSession();
    clock.t += 12 * 3_600_000;
    auth.attach(expired.session.id, () => closed.push("expired"));
    const live = auth.createSession();
    auth.attach(live.session.id, () => closed.push("live"));
    expect(closed).toEqual(["revoked", "expired"]);
  });
  test("sweep ends expired sessions and closes their sockets", () => {
    const { clock, auth } = clocked();
    const old = auth.createSession();
    clock.t += 6 * 3_600_000;
    const young = auth.createSession();
    const closed: string[] = [];
    auth.attach(old.session.id, () => closed.push("old"));
    auth.attach(young.session.id, () => closed.push("young"));
    clock.t += 6 * 3_600_000; // old: 12 h idle; young: 6 h
    auth.sweep();
    expect(closed).toEqual(["old"]);
    expect(auth.sessionCount).toBe(1);
  });
});

import { describe, expect, test } from "bun:test";
import { idTime, isId, newId } from "../../src/core/ids.ts";

describe("ids", () => {
  test("carry their kind and 26 Crockford base32 characters", () => {
    const id = newId("ses");
    expect(id).toMatch(/^ses_[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(isId(id)).toBe(true);
    expect(isId(id, "ses")).toBe(true);
    expect(isId(id, "run")).toBe(false);
    expect(isId("ses_short")).toBe(false);
    expect(isId("ses_" + "I".repeat(26))).toBe(false); // I is not in the alphabet
  });

  test("sort by creation time, strictly increasing within one millisecond", () => {
    const ids = Array.from({ length: 2000 }, () => newId("evt"));
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
  });

  test("encode their creation time", () => {
    const before = Date.now();
    const id = newId("run");
    const after = Date.now();
    expect(idTime(id)).toBeGreaterThanOrEqual(before);
    expect(idTime(id)).toBeLessThanOrEqual(after);
  });
});

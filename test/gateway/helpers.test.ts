// The shared wait helpers fail loudly: a condition that never arrives is a test failure naming it.
import { describe, expect, test } from "bun:test";
import { waitFor } from "./helpers.ts";

describe("waitFor", () => {
  test("resolves once the condition holds (sync or async)", async () => {
    let n = 0;
    await waitFor(() => ++n >= 3, "three polls");
    expect(n).toBe(3);
    await waitFor(async () => true, "an async condition");
  });
  test("throws naming what it waited for when the time runs out", async () => {
    let err: unknown;
    try {
      await waitFor(() => false, "the thing that never happens", 20);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toBe("timed out after 20 ms waiting for the thing that never happens");
  });
});

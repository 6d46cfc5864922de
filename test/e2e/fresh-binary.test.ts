// The staleness rule the e2e tests rely on, on files in a temp dir (no build).
import { expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { staleReason } from "./fresh-binary.ts";

function tree() {
  const root = mkdtempSync(join(tmpdir(), "fresh-bin-"));
  mkdirSync(join(root, "src", "deep"), { recursive: true });
  mkdirSync(join(root, "dist"));
  const src = join(root, "src", "deep", "a.ts");
  const bin = join(root, "dist", "openclaw");
  writeFileSync(src, "export {}");
  writeFileSync(bin, "binary");
  return { root, src, bin };
}
const at = (path: string, s: number) => utimesSync(path, s, s);

test("a missing binary is stale", () => {
  const { root, bin } = tree();
  expect(staleReason(`${bin}-missing`, root, ["src"])).toContain("does not exist");
});

test("a binary older than any source file is stale; one newer than all of them is not", () => {
  const { root, src, bin } = tree();
  at(src, 2_000_000);
  at(bin, 1_000_000);
  expect(staleReason(bin, root, ["src", "build"])).toContain("a.ts is newer");
  at(bin, 3_000_000);
  expect(staleReason(bin, root, ["src", "build"])).toBeNull();
});

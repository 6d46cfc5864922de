// Runs before any test file: every test gets a private HOME and state dir, and no provider
// or channel secret from the developer's shell can leak into a test (or be used by one).
import { afterAll } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const root = mkdtempSync(join(tmpdir(), "openclaw-test-"));
// Temp dirs the tests make land under the same root (TMPDIR), and the whole root goes when the
// test process ends, so repeated runs leave nothing behind in /tmp.
process.env.TMPDIR = join(root, "tmp");
mkdirSync(process.env.TMPDIR);
afterAll(() => rmSync(root, { recursive: true, force: true })); // in a preload: once, after every test file
process.env.HOME = join(root, "home");
process.env.OPENCLAW_STATE_DIR = join(root, "home", ".openclaw");
process.env.OPENCLAW_CONFIG_PATH = join(root, "home", ".openclaw", "openclaw.json");
for (const key of Object.keys(process.env)) {
  if (/(_API_KEY|_TOKEN|_SECRET)$/.test(key) || key.startsWith("OPENCLAW_GATEWAY_")) delete process.env[key];
}
process.env.NO_COLOR = "1";

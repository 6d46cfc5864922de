// `openclaw config set` warnings, as a person sees them on stderr: each warning the edit caused,
// once; nothing about keys the file already had; a plugin path that does not exist is named.
import { afterAll, expect, test } from "bun:test";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { runCli, tempState } from "./run.ts";

const st = tempState();
afterAll(() => rmSync(st.dir, { recursive: true, force: true }));
const cli = (...args: string[]) => runCli(args, st.env);
const count = (text: string, needle: string) => text.split(needle).length - 1;

test("config set: an unknown key it adds is warned about once; a later unrelated set says nothing of it", () => {
  const first = cli("config", "set", "bindings", `[{agentId: "main"}]`);
  expect(first.code).toBe(0);
  expect(count(first.stderr, `unknown config key "bindings"`)).toBe(1);
  const second = cli("config", "set", "gateway.port", "19001");
  expect(second.code).toBe(0);
  expect(second.stderr).not.toContain(`unknown config key "bindings"`);
  const third = cli("config", "set", "agents.defaults.frobnicate", "true");
  expect(count(third.stderr, "unknown config key")).toBe(1);
  expect(third.stderr).toContain(`unknown config key "agents.defaults.frobnicate"`);
  // validate still reports everything the file has
  const v = runCli(["--json", "config", "validate"], st.env);
  expect(JSON.parse(v.stdout).warnings.filter((w: string) => w.includes("unknown config key")).length).toBe(2);
});

test("config set plugins.load.paths to a missing directory warns with the key, the path and the fix", () => {
  const missing = join(st.dir, "no-such-plugins");
  const r = cli("config", "set", "plugins.load.paths", JSON.stringify([missing]));
  expect(r.code).toBe(0);
  expect(count(r.stderr, `plugins.load.paths.0: ${missing} does not exist`)).toBe(1);
  expect(r.stderr).toContain("create it, fix the path, or remove the entry");
  expect(cli("config", "validate").stderr).toContain(`plugins.load.paths.0: ${missing} does not exist`);
});

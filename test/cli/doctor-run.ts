// Runs `openclaw doctor|status` from source as an async subprocess (so fakes served by the test
// process keep answering) in a private HOME and state dir, and parses `--json`.
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort, runCliAsync, type RunResult } from "./run.ts";

export { freePort };

export interface Home {
  dir: string;
  state: string;
  config: string;
  env: Record<string, string>;
  writeConfig(doc: unknown, mode?: number): void;
}

/** A strong key for the checks that need one present (never sent anywhere without --deep). */
export const FAKE_KEY = "sk-ant-test-0123456789abcdefghijklmnopqrstuvwxyz";

export function tempHome(): Home {
  const dir = mkdtempSync(join(tmpdir(), "doctor-"));
  const state = join(dir, "home", ".openclaw");
  const config = join(state, "openclaw.json");
  mkdirSync(join(dir, "home"), { recursive: true });
  return {
    dir,
    state,
    config,
    env: { HOME: join(dir, "home"), OPENCLAW_STATE_DIR: state, OPENCLAW_CONFIG_PATH: config },
    writeConfig(doc, mode = 0o600) {
      mkdirSync(state, { recursive: true, mode: 0o700 });
      writeFileSync(config, JSON.stringify(doc), { mode });
      chmodSync(config, mode);
    },
  };
}

export interface Check {
  id: string;
  status: "ok" | "warn" | "fail";
  message: string;
  fix?: string;
  repaired?: string;
}

export type CliRun = RunResult;

export function run(args: string[], env: Record<string, string>, bin?: string): Promise<CliRun> {
  return runCliAsync(args, env, bin ? { bin } : {});
}

export async function doctor(env: Record<string, string>, ...flags: string[]): Promise<{ code: number; checks: Check[]; repairs: string[]; raw: CliRun }> {
  const r = await run(["doctor", "--json", ...flags], env);
  let parsed: { checks: Check[]; repairs: string[] };
  try {
    parsed = JSON.parse(r.stdout);
  } catch {
    throw new Error(`doctor --json printed no JSON (exit ${r.code}): ${r.stdout}\n${r.stderr}`);
  }
  return { code: r.code, checks: parsed.checks, repairs: parsed.repairs, raw: r };
}

export function check(checks: Check[], id: string): Check {
  const c = checks.find((x) => x.id === id);
  if (!c) throw new Error(`no check ${id} in ${checks.map((x) => x.id).join(", ")}`);
  return c;
}

type Doc = Record<string, unknown>;
const isObj = (v: unknown): v is Doc => typeof v === "object" && v !== null && !Array.isArray(v);
function merge(a: Doc, b: Doc): Doc {
  const out: Doc = { ...a };
  for (const [k, v] of Object.entries(b)) out[k] = isObj(v) && isObj(out[k]) ? merge(out[k] as Doc, v) : v;
  return out;
}

/** A config with a key present, the sandbox off and a free port, so only the check a test is about can fail. */
export async function quietConfig(extra: Doc = {}): Promise<Doc> {
  const base = { models: { providers: { anthropic: { apiKey: FAKE_KEY } } }, agents: { defaults: { sandbox: { level: "off" } } }, gateway: { port: await freePort() } };
  return merge(base, extra);
}

/**
 * `openclaw daemon install|uninstall` (and `onboard --install-daemon`): writes the unit (systemd
 * user or system unit, or the macOS LaunchAgent), the 0600 environment file when secrets come from
 * the environment, then enables and (re)starts it. Where no service manager is reachable the unit
 * is still written and the result says plainly why it could not be enabled and that
 * `openclaw gateway run` is the alternative (ok: false → exit 1).
 *
 * Contract: never throws for an expected failure; `ok` and a message for people instead.
 */
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { userInfo } from "node:os";
import { dirname, join } from "node:path";
import { errorMessage } from "../core/errors.ts";
import { envFilePath, writeEnvFile } from "./envfile.ts";
import { FOREGROUND_HINT } from "./errors.ts";
import { serviceManager, type ServiceManager } from "./manager.ts";
import { firstLine } from "./run.ts";
import { serviceSpec } from "./spec.ts";

export interface InstallOptions {
  system?: boolean;
  print?: boolean;
  /** test seam: render for another platform (darwin → the LaunchAgent) */
  platform?: NodeJS.Platform;
  /** test seam: the effective uid (`--system` needs 0) */
  uid?: number;
  /** test seam: where systemd keeps linger flags */
  lingerDir?: string;
}

export interface InstallResult {
  ok: boolean;
  message: string;
  unitPath?: string;
  /** the rendered unit or plist */
  unit?: string;
  envFile?: string;
}

const DEFAULT_GRACE_MS = 10_000;

async function shutdownGrace(): Promise<{ ms: number; note?: string }> {
  try {
    const { loadConfig } = await import("../config/load.ts");
    return { ms: loadConfig().config.gateway.limits.shutdownGraceMs };
  } catch (err) {
    return { ms: DEFAULT_GRACE_MS, note: `note: the config did not load (${errorMessage(err)}); the gateway will refuse to start until it is fixed (openclaw doctor)` };
  }
}

function writeAtomic(path: string, text: string, mode: number): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, text, { mode });
  renameSync(tmp, path);
}

export function lingerHint(lingerDir = "/var/lib/systemd/linger"): string | null {
  const user = userInfo().username;
  if (existsSync(join(lingerDir, user))) return null;
  return `lingering is off for ${user}: the gateway stops when you log out. To keep it running: loginctl enable-linger ${user}`;
}

function enable(m: ServiceManager): string | null {
  const name = m.kind === "systemd" ? `systemctl${m.scope === "user" ? " --user" : ""}` : "launchctl";
  for (const step of [() => m.reload(), () => m.act("enable"), () => m.act(m.kind === "systemd" ? "restart" : "start")]) {
    const r = step();
    if (r.code !== 0) return `${name} failed: ${firstLine(r)}`;
  }
  return null;
}

export async function installDaemon(opts: InstallOptions): Promise<InstallResult> {
  try {
    const m = await serviceManager({ ...(opts.system ? { system: true } : {}), ...(opts.platform ? { platform: opts.platform } : {}) });
    const uid = opts.uid ?? process.getuid?.() ?? 0;
    if (opts.system && uid !== 0 && !opts.print) {
      return { ok: false, unitPath: m.unitPath, message: `--system writes ${m.unitPath} and needs root: run it with sudo, or drop --system for a user unit (${(await serviceManager({ ...(opts.platform ? { platform: opts.platform } : {}) })).unitPath})` };
    }
    const grace = await shutdownGrace();
    const spec = serviceSpec({ shutdownGraceMs: grace.ms });
    const envFile = Object.keys(spec.secretEnv).length ? envFilePath(spec.stateDir) : undefined;
    const unit = m.render(spec, envFile);
    const base = { unitPath: m.unitPath, unit, ...(envFile ? { envFile } : {}) };
    if (opts.print) return { ok: true, message: unit, ...base };

    writeEnvFile(spec.stateDir, spec.secretEnv);
    if (m.kind === "launchd") mkdirSync(join(spec.stateDir, "logs"), { recursive: true, mode: 0o700 });
    writeAtomic(m.unitPath, unit, 0o644);
    const lines = [`wrote ${m.unitPath}`];
    if (envFile) lines.push(`wrote ${envFile} (0600) with ${Object.keys(spec.secretEnv).join(", ")} from your environment; the unit only references it`);
    if (grace.note) lines.push(grace.note);
    const why = m.unreachable();
    const failed = why ?? enable(m);
    if (failed) return { ok: false, ...base, message: [`could not enable the service: ${failed}.`, ...lines, FOREGROUND_HINT].join("\n") };
    lines.push(m.kind === "systemd" ? `enabled and started ${m.scope === "user" ? "the user" : "the system"} service openclaw-gateway (status: openclaw daemon status, logs: openclaw daemon logs)` : "loaded the LaunchAgent ai.openclaw.gateway (status: openclaw daemon status)");
    const hint = m.kind === "systemd" && m.scope === "user" ? lingerHint(opts.lingerDir) : null;
    if (hint) lines.push(hint);
    return { ok: true, ...base, message: lines.join("\n") };
  } catch (err) {
    return { ok: false, message: errorMessage(err) };
  }
}

/** Stops and disables the service where the manager is reachable, then removes the unit and the environment file. */
export async function uninstallDaemon(opts: { system?: boolean; platform?: NodeJS.Platform; uid?: number } = {}): Promise<InstallResult> {
  try {
    const m = await serviceManager({ ...(opts.system ? { system: true } : {}), ...(opts.platform ? { platform: opts.platform } : {}) });
    if (opts.system && (opts.uid ?? process.getuid?.() ?? 0) !== 0) return { ok: false, unitPath: m.unitPath, message: `--system removes ${m.unitPath} and needs root: run it with sudo` };
    const lines: string[] = [];
    const why = m.unreachable();
    if (why) lines.push(`could not stop or disable the service: ${why}`);
    else if (existsSync(m.unitPath)) {
      const r = m.act("disable");
      if (r.code !== 0) lines.push(`stopping the service failed: ${firstLine(r)}`);
    }
    if (existsSync(m.unitPath)) {
      rmSync(m.unitPath);
      lines.push(`removed ${m.unitPath}`);
      if (!why) m.reload();
    } else lines.push(`no unit at ${m.unitPath}: nothing to remove`);
    const { stateDir } = await import("../config/paths.ts");
    const env = envFilePath(stateDir());
    if (existsSync(env)) {
      rmSync(env);
      lines.push(`removed ${env}`);
    }
    return { ok: true, unitPath: m.unitPath, message: lines.join("\n") };
  } catch (err) {
    return { ok: false, message: errorMessage(err) };
  }
}

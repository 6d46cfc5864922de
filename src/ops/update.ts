/**
 * `openclaw update`: fetch and verify the signed manifest (update-manifest.ts), download this
 * platform's binary to a temp file next to the running one, check size and SHA-256, check it runs
 * and reports the manifest's version, keep the current binary as `<bin>.previous` (a hard link, so
 * the path never lacks a binary), then rename the new one over it (atomic). If a daemon unit is
 * installed it is restarted and the gateway must answer /healthz again; otherwise the previous
 * binary is put back. `--rollback` renames `<bin>.previous` back into place.
 */
import { createHash } from "node:crypto";
import { chmodSync, existsSync, linkSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { RELEASE_PUBKEY } from "../core/release-key.ts";
import { loadConfig } from "../config/load.ts";
import { UpdateError, compareVersions, download, fetchManifest, releaseBase, thisTarget, type Manifest } from "./update-manifest.ts";

export interface UpdateOptions {
  /** the running version (cli/version.ts) */
  current: string;
  check?: boolean;
  to?: string;
  rollback?: boolean;
  /** the binary to replace (default: this one) */
  execPath?: string;
  /** override update.url */
  url?: string;
  pubkey?: string | null;
  /** restart and health-check a daemon after replacing (default: when a unit is installed) */
  restart?: () => Promise<boolean>;
}

export interface UpdateReport {
  action: "up-to-date" | "available" | "updated" | "rolled-back";
  current: string;
  latest?: string;
  binary: string;
  message: string;
}

const previousOf = (bin: string) => `${bin}.previous`;

function refuseSourceRun(bin: string): void {
  // from source, process.execPath is bun itself: never replace it
  if (/^bun(-debug)?$/.test(basename(bin))) {
    throw new UpdateError(`${bin} is not an openclaw binary (running from source?); update works on an installed release binary`);
  }
}

function updateUrl(opts: UpdateOptions): string {
  if (opts.url) return opts.url;
  const url = loadConfig().config.update.url;
  if (!url) throw new UpdateError("update.url is not set: openclaw config set update.url https://…/releases/latest");
  return url;
}

function versionOf(bin: string): string | null {
  const r = Bun.spawnSync([bin, "--version", "--json"], { stdout: "pipe", stderr: "pipe", env: { ...process.env, OPENCLAW_NO_UPDATE_CHECK: "1" } });
  if (r.exitCode !== 0) return null;
  try {
    return (JSON.parse(r.stdout.toString()) as { version?: string }).version ?? null;
  } catch {
    return null;
  }
}

export async function checkUpdate(opts: UpdateOptions): Promise<{ manifest: Manifest; newer: boolean }> {
  const manifest = await fetchManifest(releaseBase(updateUrl(opts), opts.to), opts.pubkey === undefined ? RELEASE_PUBKEY : opts.pubkey);
  return { manifest, newer: compareVersions(manifest.version, opts.current) > 0 };
}

export async function runUpdate(opts: UpdateOptions): Promise<UpdateReport> {
  const bin = opts.execPath ?? process.execPath;
  if (opts.rollback) return rollback(bin, opts.current);
  const { manifest, newer } = await checkUpdate(opts);
  const current = opts.current;
  if (!opts.to && !newer) return { action: "up-to-date", current, latest: manifest.version, binary: bin, message: `openclaw ${current} is up to date (latest: ${manifest.version})` };
  if (opts.check) return { action: "available", current, latest: manifest.version, binary: bin, message: `update available: ${current} -> ${manifest.version} (openclaw update)` };
  refuseSourceRun(bin);
  const name = thisTarget(bin);
  const target = manifest.targets.find((t) => t.target === name);
  if (!target) throw new UpdateError(`release ${manifest.version} has no build for ${name} (it has ${manifest.targets.map((t) => t.target).join(", ")})`);
  const base = releaseBase(updateUrl(opts), opts.to);
  const bytes = await download(`${base}${target.file}`);
  const sum = createHash("sha256").update(bytes).digest("hex");
  if (bytes.length !== target.size || sum !== target.sha256) {
    throw new UpdateError(`the downloaded ${target.file} does not match the signed manifest (sha256 ${sum}, expected ${target.sha256}): refused, nothing replaced`);
  }
  const tmp = join(dirname(bin), `.${basename(bin)}.update-${process.pid}`);
  try {
    writeFileSync(tmp, bytes, { mode: 0o755 });
    chmodSync(tmp, 0o755);
    const v = versionOf(tmp);
    if (v !== manifest.version) throw new UpdateError(`the new binary reports version ${v ?? "(did not run)"}, the manifest says ${manifest.version}: refused, nothing replaced`);
    const prev = previousOf(bin);
    rmSync(prev, { force: true });
    linkSync(bin, prev);
    renameSync(tmp, bin);
  } finally {
    rmSync(tmp, { force: true });
  }
  const restart = opts.restart ?? restartDaemonIfInstalled;
  if (!(await restart())) {
    renameSync(previousOf(bin), bin);
    await restart().catch(() => false);
    throw new UpdateError(`the gateway did not come back healthy on ${manifest.version}: the previous binary (${current}) was put back`);
  }
  return { action: "updated", current, latest: manifest.version, binary: bin, message: `updated ${bin}: ${current} -> ${manifest.version} (previous kept as ${previousOf(bin)}; openclaw update --rollback)` };
}

function rollback(bin: string, current: string): UpdateReport {
  const prev = previousOf(bin);
  if (!existsSync(prev)) throw new UpdateError(`nothing to roll back to: ${prev} does not exist (it is kept by the last openclaw update)`);
  const v = versionOf(prev);
  renameSync(prev, bin);
  return { action: "rolled-back", current, latest: v ?? "?", binary: bin, message: `rolled back ${bin} to ${v ?? "the previous binary"}` };
}

/** true when no daemon is installed, or it restarted and answers /healthz within 30 s */
async function restartDaemonIfInstalled(): Promise<boolean> {
  const { daemonUnit, daemonAction } = await import("../daemon/control.ts");
  const unit = await daemonUnit();
  if (!unit.installed) return true;
  await daemonAction("restart");
  const { answersHealthz, gatewayUrl } = await import("./gateway-client.ts");
  const url = gatewayUrl(loadConfig().config);
  for (let i = 0; i < 60; i++) {
    if (await answersHealthz(url, 1000)) return true;
    await Bun.sleep(500);
  }
  return false;
}

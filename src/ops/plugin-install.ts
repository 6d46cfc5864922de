/**
 * `openclaw plugins install <path|npm-spec>`: into `<state dir>/extensions/<id>` (the id from the
 * plugin's manifest). A directory is copied; anything else (a package name, `name@version`, a
 * tarball, a git URL) goes through npm: `npm pack` fetches the package, it is unpacked, and its
 * dependencies are installed with `npm install --omit=dev` — always with `--ignore-scripts`, so
 * no install script of the plugin or of any dependency ever runs. Work happens in a staging folder
 * beside the target and is renamed into place only when the result is a valid plugin directory
 * (manifest.ts); an existing plugin with the same id is replaced only with `force`.
 */
import { spawnSync } from "node:child_process";
import { chmodSync, cpSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { stateDir } from "../config/paths.ts";
import { ConflictError, InvalidParamsError, OpenClawError } from "../core/errors.ts";
import { extensionsDir } from "../plugins/discover.ts";
import { readPluginDir } from "../plugins/manifest.ts";

export class PluginInstallError extends OpenClawError {
  static override readonly type: string = "PluginInstallError";
}

export interface InstallResult {
  id: string;
  dir: string;
  from: "path" | "npm";
  replaced: boolean;
}

export function installPlugin(spec: string, opts: { state?: string; force?: boolean; npm?: string } = {}): InstallResult {
  if (!spec.trim()) throw new InvalidParamsError("a plugin path or npm package spec is required, e.g. openclaw plugins install ./my-plugin");
  const root = extensionsDir(opts.state ?? stateDir());
  mkdirSync(root, { recursive: true, mode: 0o700 });
  const staging = mkdtempSync(join(root, ".install-"));
  try {
    const local = resolve(spec);
    const isDir = existsSync(local) && statSync(local).isDirectory();
    const dir = isDir ? copyDir(local, join(staging, "pkg")) : npmFetch(spec, staging, opts.npm ?? "npm");
    tighten(dir);
    const { manifest } = readPluginDir(dir);
    const target = join(root, manifest.id);
    const replaced = existsSync(target);
    if (replaced && !opts.force) throw new ConflictError(`plugin ${manifest.id} is already installed at ${target}; add --force to replace it`);
    if (replaced) rmSync(target, { recursive: true, force: true });
    renameSync(dir, target);
    return { id: manifest.id, dir: target, from: isDir ? "path" : "npm", replaced };
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

function copyDir(from: string, to: string): string {
  cpSync(from, to, { recursive: true, filter: (src) => !src.split("/").includes(".git") });
  return to;
}

function npmFetch(spec: string, staging: string, npm: string): string {
  const packed = run(npm, ["pack", spec, "--ignore-scripts", "--pack-destination", staging, "--silent"], staging, `npm pack ${spec}`);
  const tgz = packed.trim().split("\n").pop()?.trim();
  if (!tgz || !existsSync(join(staging, tgz))) throw new PluginInstallError(`npm pack ${spec} produced no package file; check the spec (a package name, name@version, a .tgz or a git URL)`);
  const dir = join(staging, "pkg");
  mkdirSync(dir);
  run("tar", ["-xzf", join(staging, tgz), "-C", dir, "--strip-components=1", "--no-same-owner"], staging, `unpacking ${tgz}`);
  run(npm, ["install", "--ignore-scripts", "--omit=dev", "--no-audit", "--no-fund", "--no-package-lock", "--silent"], dir, `npm install (dependencies of ${spec})`);
  return dir;
}

function run(cmd: string, args: string[], cwd: string, what: string): string {
  const r = spawnSync(cmd, args, { cwd, encoding: "utf8", timeout: 300_000, env: { ...process.env, npm_config_ignore_scripts: "true" } });
  if (r.error) throw new PluginInstallError(`${what} could not run: ${r.error.message}${cmd === "npm" ? "; install Node.js and npm" : ""}`);
  if (r.status !== 0) throw new PluginInstallError(`${what} failed (exit ${r.status}): ${(r.stderr || r.stdout).trim().split("\n").slice(-5).join(" / ")}`);
  return r.stdout;
}

/** The plugin rule (manifest.ts) refuses group/world-writable files: clear those bits on what was installed. */
function tighten(dir: string): void {
  const walk = (p: string) => {
    const st = lstatSync(p);
    if (st.isSymbolicLink()) return;
    if (st.mode & 0o022) chmodSync(p, st.mode & 0o7755);
    if (st.isDirectory()) for (const n of readdirSync(p)) walk(join(p, n));
  };
  walk(dir);
}

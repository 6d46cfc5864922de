/**
 * Pure path policy (no file system access): where a requested path points, lexically, and whether
 * a real path lies inside the allowed roots. `fs.ts` applies these before and after it opens
 * anything. Every refusal is a `PathEscapeError` whose message tells the model what to use instead.
 */
import { isAbsolute, posix, relative, resolve, sep } from "node:path";
import { PathEscapeError } from "./executor.ts";

export interface AllowedRoot {
  /** the spelling from config (may contain symlinks) */
  given: string;
  /** its real path, resolved once */
  real: string;
}

export interface PathPolicy {
  /** the workspace, real path; relative paths resolve against it */
  root: string;
  /** every root that may be read (the workspace included) */
  roots: AllowedRoot[];
}

/** True when `p` is `parent` or below it. Both must be absolute and normalised. */
export function isInside(p: string, parent: string): boolean {
  if (parent === sep) return p.startsWith(sep);
  return p === parent || p.startsWith(parent.endsWith(sep) ? parent : parent + sep);
}

/** The first root (by real path) that contains the real path `p`, if any. */
export function findRoot(p: string, realRoots: readonly string[]): string | undefined {
  return realRoots.find((r) => isInside(p, r));
}

export function escapeError(requested: string, policy: PathPolicy, what = "path escapes the workspace"): PathEscapeError {
  const others = policy.roots.map((r) => r.real).filter((r) => r !== policy.root);
  const where = others.length ? `${policy.root} (or ${others.join(", ")})` : policy.root;
  return new PathEscapeError(`${what}: ${requested}; use a path inside ${where}`);
}

/**
 * Resolve a requested path lexically: relative against the workspace root, `..` collapsed, an
 * absolute path written with a root's configured spelling mapped onto its real path. Refuses
 * empty-byte tricks and anything that lands outside every root. Returns an absolute path that
 * still has to pass the real-path check (symlinks are not looked at here).
 */
export function normalizeRequest(requested: string, policy: PathPolicy): string {
  if (requested.includes("\0")) throw new PathEscapeError(`invalid path (contains a NUL byte): ${JSON.stringify(requested)}`);
  const raw = requested.trim() === "" ? "." : requested;
  const abs = isAbsolute(raw) ? resolve(raw) : resolve(policy.root, raw);
  for (const r of policy.roots) {
    if (isInside(abs, r.real)) return abs;
  }
  for (const r of policy.roots) {
    const given = resolve(r.given);
    if (given !== r.real && isInside(abs, given)) return resolve(r.real, relative(given, abs));
  }
  throw escapeError(requested, policy);
}

/** Refuses a real path outside every allowed root; returns it unchanged otherwise. */
export function checkReal(requested: string, real: string, policy: PathPolicy, realRoots: readonly string[] = policy.roots.map((r) => r.real)): string {
  if (!findRoot(real, realRoots)) {
    throw escapeError(requested, policy, real === requested ? "path escapes the workspace" : `path escapes the workspace (it resolves to ${real})`);
  }
  return real;
}

/** How a real path is shown to the model: relative to the workspace when inside it, else absolute. */
export function displayPath(real: string, root: string): string {
  if (real === root) return ".";
  if (isInside(real, root)) return relative(root, real).split(sep).join(posix.sep);
  return real;
}

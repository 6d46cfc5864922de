/**
 * The bwrap command line for one exec. Pure: what it knows of the host comes through `plan.host`
 * (a `HostView`, default the real file system), so a test never depends on the machine's own home.
 *
 * Both levels: new user (`--disable-userns`: no nested user namespaces), PID, IPC, UTS, cgroup and
 * mount namespaces, and a network namespace unless `networkAccess`; `--die-with-parent`,
 * `--new-session`, `--cap-drop ALL`; fresh /dev, /proc (only the sandbox's own processes) and /tmp;
 * empty tmpfs over $HOME and the state dir; each allowed path bound read-write at its real path;
 * then every path of `plan.masks` (secret files and folders, other gateways' state, host Unix
 * sockets; see masks.ts) that would otherwise be visible: a folder gets an empty tmpfs, anything
 * else a read-only /dev/null. Mounts go in path-depth order, so a mask inside an allowed path
 * lands on top of the bind that exposes it.
 *
 * - `standard`: the host root read-only, with secrets masked: /root, /home, /run (sockets such as
 *   docker.sock live there, and connect() ignores a read-only mount), /var/tmp, shadow/gshadow,
 *   sudoers, SSH host keys, /etc/ssl/private.
 * - `strict`: an empty, read-only root holding only /usr, /bin, /sbin, /lib* and a few /etc files.
 *
 * Every writable tmpfs is size-capped (tmpfs pages are host memory that no rlimit counts), and
 * /dev (a tmpfs bwrap creates) is remounted read-only.
 *
 * The environment is NOT in argv (argv is world-readable in /proc on the host): the executor
 * spawns bwrap with exactly the tool's environment, which bwrap hands on unchanged.
 */
import { join } from "node:path";
import type { SandboxLevel } from "../config/schema.ts";
import { realHostView, type HostView } from "./host-view.ts";
import { isInside } from "./paths.ts";

export interface BwrapPlan {
  level: SandboxLevel;
  networkAccess: boolean;
  /** real paths, bound read-write */
  allowedPaths: string[];
  home: string;
  stateDir: string;
  /** real path inside an allowed path */
  cwd: string;
  /** size cap of each writable tmpfs (/tmp, $HOME, the state dir, /dev/shm): tmpfs is host RAM */
  tmpfsBytes: number;
  /** descriptor number bwrap reads a seccomp program from */
  seccompFd?: number;
  /** [host path, sandbox path] bound read-only after /tmp is mounted (the egress bridge: egress.ts) */
  roBinds?: [string, string][];
  /** what runs inside */
  command: string[];
  /** real host paths to hide (masks.ts); those already hidden or not visible are skipped */
  masks?: string[];
  /** how host paths are inspected; default the real file system */
  host?: HostView;
}

/** tmpfs over hidden folders only holds mount points for allowed paths below them */
const HIDE_BYTES = 1 << 20;
const HIDE_DIRS = ["/root", "/home", "/run", "/var/tmp", "/etc/ssl/private", "/etc/sudoers.d"];
const HIDE_FILES = ["/etc/shadow", "/etc/shadow-", "/etc/gshadow", "/etc/gshadow-", "/etc/sudoers", "/etc/security/opasswd"];
const STRICT_DIRS = ["/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"];
const STRICT_ETC = [
  "passwd", "group", "hosts", "host.conf", "resolv.conf", "nsswitch.conf", "gai.conf", "services", "protocols",
  "ld.so.cache", "ld.so.conf", "ld.so.conf.d", "localtime", "alternatives", "ssl", "ca-certificates",
  "ca-certificates.conf", "pki", "os-release", "mime.types", "inputrc", "bash.bashrc", "profile",
];

export function bwrapArgs(plan: BwrapPlan): string[] {
  const host = plan.host ?? realHostView;
  const a: string[] = ["--unshare-all"];
  if (plan.networkAccess) a.push("--share-net");
  a.push("--unshare-user", "--disable-userns", "--die-with-parent", "--new-session", "--cap-drop", "ALL");

  if (plan.level === "strict") strictRoot(a, plan.networkAccess, host);
  else standardRoot(a, plan.networkAccess, host);

  const size = String(plan.tmpfsBytes);
  // /dev is a tmpfs too: read-only, with a size-capped /dev/shm.
  a.push("--dev", "/dev", "--size", size, "--tmpfs", "/dev/shm", "--remount-ro", "/dev");
  a.push("--proc", "/proc", "--size", size, "--tmpfs", "/tmp");
  const mounts: Mount[] = [];
  for (const dir of [plan.home, plan.stateDir]) {
    // standard: a path that does not exist has nothing to hide (and cannot be a mount point on the ro root)
    if (plan.level === "strict" || host.kind(dir) === "dir") mounts.push({ path: dir, args: ["--size", size, "--tmpfs", dir] });
  }
  for (const [from, to] of plan.roBinds ?? []) mounts.push({ path: to, args: ["--ro-bind", from, to] });
  for (const p of plan.allowedPaths) mounts.push({ path: p, args: ["--bind", p, p] });
  for (const m of maskMounts(plan, host)) mounts.push(m);
  mounts.sort((x, y) => depth(x.path) - depth(y.path));
  for (const m of mounts) a.push(...m.args);
  if (plan.level === "strict") a.push("--remount-ro", "/"); // the root tmpfs holds only mount points
  a.push("--chdir", plan.cwd);
  if (plan.seccompFd !== undefined) a.push("--seccomp", String(plan.seccompFd));
  a.push("--", ...plan.command);
  return a;
}

interface Mount {
  path: string;
  args: string[];
}

const depth = (p: string) => p.split("/").filter(Boolean).length;

/** A mount per mask the command could otherwise see: tmpfs over a folder, /dev/null over the rest. */
function maskMounts(plan: BwrapPlan, host: HostView): Mount[] {
  const hidden = ["/tmp", "/dev", "/proc", plan.home, plan.stateDir, ...(plan.level === "strict" ? [] : HIDE_DIRS)];
  // a read-only bind shows its tree again even inside a hidden root (a checkout under /tmp or $HOME)
  const bound = (plan.roBinds ?? []).map(([, to]) => to);
  const shown = plan.level === "strict" ? [...plan.allowedPaths, ...bound, ...STRICT_DIRS] : [...plan.allowedPaths, ...bound, "/"];
  const out: Mount[] = [];
  const seen = new Set<string>();
  for (const p of plan.masks ?? []) {
    if (seen.has(p) || !visible(p, hidden, shown) || plan.allowedPaths.includes(p)) continue;
    seen.add(p);
    const kind = host.kind(p);
    if (kind === "dir") out.push({ path: p, args: ["--size", String(HIDE_BYTES), "--tmpfs", p] });
    else if (kind !== null && kind !== "symlink") out.push({ path: p, args: ["--ro-bind", "/dev/null", p] });
  }
  return out;
}

/** Visible when the deepest root containing `p` is one the sandbox shows rather than hides. */
function visible(p: string, hidden: string[], shown: string[]): boolean {
  let best = -1;
  let show = false;
  for (const [roots, isShown] of [[hidden, false], [shown, true]] as const) {
    for (const r of roots) {
      if (!isInside(p, r)) continue;
      const d = r === "/" ? 0 : depth(r);
      if (d > best || (d === best && !isShown)) [best, show] = [d, isShown];
    }
  }
  return show;
}

function standardRoot(a: string[], networkAccess: boolean, host: HostView): void {
  a.push("--ro-bind", "/", "/");
  for (const d of HIDE_DIRS) if (host.kind(d) === "dir") a.push("--size", String(HIDE_BYTES), "--tmpfs", d);
  for (const f of [...HIDE_FILES, ...sshHostKeys(host)]) if (host.kind(f) !== null) a.push("--ro-bind", "/dev/null", f);
  // /etc/resolv.conf often links into /run (systemd-resolved), which is hidden above: bind it back.
  if (networkAccess) {
    const target = host.realpath("/etc/resolv.conf");
    if (target?.startsWith("/run/")) a.push("--ro-bind", target, target);
  }
}

function strictRoot(a: string[], networkAccess: boolean, host: HostView): void {
  for (const d of STRICT_DIRS) {
    const kind = host.kind(d);
    const link = kind === "symlink" ? host.readlink(d) : null;
    if (link) a.push("--symlink", link, d);
    else if (kind === "dir") a.push("--ro-bind", d, d);
  }
  for (const name of STRICT_ETC) {
    const p = join("/etc", name);
    if (!networkAccess && name === "resolv.conf") continue;
    const target = host.realpath(p);
    if (target) a.push("--ro-bind", target, p);
  }
  if (host.kind("/etc/ssl/private") === "dir") a.push("--size", String(HIDE_BYTES), "--tmpfs", "/etc/ssl/private");
}

function sshHostKeys(host: HostView): string[] {
  return host
    .readdir("/etc/ssh")
    .filter((n) => /^ssh_host_.*_key$/.test(n))
    .map((n) => join("/etc/ssh", n));
}

/**
 * The bwrap command line for one exec (pure apart from looking at which host paths exist).
 *
 * Both levels: new user (`--disable-userns`: no nested user namespaces), PID, IPC, UTS, cgroup and
 * mount namespaces, and a network namespace unless `networkAccess`; `--die-with-parent`,
 * `--new-session`, `--cap-drop ALL`; fresh /dev, /proc (only the sandbox's own processes) and /tmp;
 * empty tmpfs over $HOME and the state dir; each allowed path bound read-write at its real path.
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
import { existsSync, lstatSync, readdirSync, readlinkSync, realpathSync } from "node:fs";
import { join } from "node:path";
import type { SandboxLevel } from "../config/schema.ts";

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
  const a: string[] = ["--unshare-all"];
  if (plan.networkAccess) a.push("--share-net");
  a.push("--unshare-user", "--disable-userns", "--die-with-parent", "--new-session", "--cap-drop", "ALL");

  if (plan.level === "strict") strictRoot(a, plan.networkAccess);
  else standardRoot(a, plan.networkAccess);

  const size = String(plan.tmpfsBytes);
  // /dev is a tmpfs too: read-only, with a size-capped /dev/shm.
  a.push("--dev", "/dev", "--size", size, "--tmpfs", "/dev/shm", "--remount-ro", "/dev");
  a.push("--proc", "/proc", "--size", size, "--tmpfs", "/tmp");
  for (const dir of [plan.home, plan.stateDir]) {
    // standard: a path that does not exist has nothing to hide (and cannot be a mount point on the ro root)
    if (plan.level === "strict" || existsSync(dir)) a.push("--size", size, "--tmpfs", dir);
  }
  for (const [from, to] of plan.roBinds ?? []) a.push("--ro-bind", from, to);
  for (const p of [...plan.allowedPaths].sort((x, y) => x.length - y.length)) a.push("--bind", p, p);
  if (plan.level === "strict") a.push("--remount-ro", "/"); // the root tmpfs holds only mount points
  a.push("--chdir", plan.cwd);
  if (plan.seccompFd !== undefined) a.push("--seccomp", String(plan.seccompFd));
  a.push("--", ...plan.command);
  return a;
}

function standardRoot(a: string[], networkAccess: boolean): void {
  a.push("--ro-bind", "/", "/");
  for (const d of HIDE_DIRS) if (isDir(d)) a.push("--size", String(HIDE_BYTES), "--tmpfs", d);
  for (const f of [...HIDE_FILES, ...sshHostKeys()]) if (exists(f)) a.push("--ro-bind", "/dev/null", f);
  // /etc/resolv.conf often links into /run (systemd-resolved), which is hidden above: bind it back.
  if (networkAccess) {
    const target = realOr("/etc/resolv.conf");
    if (target?.startsWith("/run/")) a.push("--ro-bind", target, target);
  }
}

function strictRoot(a: string[], networkAccess: boolean): void {
  for (const d of STRICT_DIRS) {
    const st = lstatOr(d);
    if (!st) continue;
    if (st.isSymbolicLink()) a.push("--symlink", readlinkSync(d), d);
    else if (st.isDirectory()) a.push("--ro-bind", d, d);
  }
  for (const name of STRICT_ETC) {
    const p = join("/etc", name);
    if (!networkAccess && name === "resolv.conf") continue;
    const target = realOr(p);
    if (target) a.push("--ro-bind", target, p);
  }
  if (isDir("/etc/ssl/private")) a.push("--size", String(HIDE_BYTES), "--tmpfs", "/etc/ssl/private");
}

function sshHostKeys(): string[] {
  try {
    return readdirSync("/etc/ssh")
      .filter((n) => /^ssh_host_.*_key$/.test(n))
      .map((n) => join("/etc/ssh", n));
  } catch {
    return [];
  }
}

function lstatOr(p: string) {
  try {
    return lstatSync(p);
  } catch {
    return null;
  }
}

function exists(p: string): boolean {
  return lstatOr(p) !== null;
}

function isDir(p: string): boolean {
  return lstatOr(p)?.isDirectory() ?? false;
}

function realOr(p: string): string | null {
  try {
    return realpathSync(p);
  } catch {
    return null;
  }
}

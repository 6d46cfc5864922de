// A real PostgreSQL server for tests: Debian's `postgresql` package (initdb + pg_ctl from
// /usr/lib/postgresql/<ver>/bin), a fresh cluster in a temp dir, listening only on a unix socket in
// that dir (no TCP at all: listen_addresses is empty). initdb refuses to run as root, so as root the
// cluster is owned by the package's `postgres` user and the server runs under `runuser`.
// Start once per test file (beforeAll), stop after (afterAll): stop() removes the dir.
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";

export interface PgServer {
  /** directory holding the data dir and the socket (`<dir>/.s.PGSQL.<port>`) */
  dir: string;
  port: number;
  /** connection URL for Bun's SQL client (unix socket, trust auth, database `postgres`) */
  url: string;
  /** stop the server (fast shutdown; `immediate` is like a crash) without removing the data */
  halt(mode?: "fast" | "immediate"): void;
  /** start it again on the same data dir and socket */
  restart(): void;
  /** stop and remove everything */
  stop(): void;
}

/** The newest /usr/lib/postgresql/<ver>/bin that has initdb, or null. */
export function pgBinDir(): string | null {
  const root = "/usr/lib/postgresql";
  if (!existsSync(root)) return null;
  const versions = readdirSync(root)
    .filter((v) => existsSync(join(root, v, "bin", "initdb")))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] ? join(root, versions[0], "bin") : null;
}

function run(argv: string[], asUser: string | null, what: string): string {
  const cmd = asUser ? ["runuser", "-u", asUser, "--", ...argv] : argv;
  const r = Bun.spawnSync(cmd, { stdout: "pipe", stderr: "pipe", env: { ...process.env, LC_ALL: "C" } });
  if (r.exitCode !== 0) {
    throw new Error(`postgres harness: ${what} failed (exit ${r.exitCode}): ${r.stderr.toString().trim() || r.stdout.toString().trim()}`);
  }
  return r.stdout.toString();
}

let nextPort = 15432 + (process.pid % 1000) * 7;

export interface PgServerOptions {
  /** fsync on (a real server's durability, for benchmarks); tests default to fsync=off */
  durable?: boolean;
}

export function startPostgres(o: PgServerOptions = {}): PgServer {
  const bin = pgBinDir();
  if (!bin) throw new Error("postgres harness: PostgreSQL is not installed; run: apt-get install -y postgresql (bun build/ensure-system.ts does it as root)");
  const isRoot = process.getuid?.() === 0;
  const user = isRoot ? "postgres" : null;
  // Not under $TMPDIR: the test preload's root is 0700 root-owned, which the postgres user cannot enter.
  const dir = mkdtempSync("/tmp/openclaw-pg-");
  if (isRoot) {
    const ids = run(["id", "-u", "postgres"], null, "looking up the postgres user").trim();
    const gid = run(["id", "-g", "postgres"], null, "looking up the postgres group").trim();
    chownSync(dir, Number(ids), Number(gid));
  }
  const data = join(dir, "data");
  const log = join(dir, "server.log");
  // The port only names the socket file; a per-process number keeps parallel test files apart.
  const port = nextPort++;
  run([join(bin, "initdb"), "-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync"], user, "initdb");
  const opts = `-c listen_addresses='' -k ${dir} -p ${port} -c fsync=${o.durable ? "on" : "off"} -c max_connections=200`;
  const start = () => run([join(bin, "pg_ctl"), "-D", data, "-l", log, "-o", opts, "-w", "-t", "60", "start"], user, "pg_ctl start");
  const halt = (mode: "fast" | "immediate" = "fast") =>
    void run([join(bin, "pg_ctl"), "-D", data, "-m", mode, "-w", "-t", "60", "stop"], user, "pg_ctl stop");
  start();
  let stopped = false;
  return {
    dir,
    port,
    url: `postgres://postgres@localhost:${port}/postgres?host=${encodeURIComponent(dir)}`,
    halt,
    restart: () => void start(),
    stop() {
      if (stopped) return;
      stopped = true;
      try {
        halt("immediate");
      } catch {
        // already down
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

// `pretest`: the system parts the tests need, never silently skipped.
//   - the programs the sandbox and its adversarial suite use: bubblewrap (`bwrap`) for the sandbox
//     itself; strace, python3, ip, curl and unshare as attack tools inside it; chromium for the
//     dashboard's browser e2e; postgresql (initdb, pg_ctl) for the PostgreSQL store tests. Missing
//     ones are installed with apt-get when we are root and apt-get exists; otherwise the exact
//     command is printed and we exit 1.
//   - the generated embed module (src/generated/embedded.ts) is brought up to date.
// Run: bun build/ensure-system.ts
import { existsSync, readdirSync } from "node:fs";
import { generate } from "./embed.mjs";

/** program → the Debian package that provides it */
const REQUIRED: Record<string, string> = {
  bwrap: "bubblewrap",
  strace: "strace",
  python3: "python3",
  ip: "iproute2",
  curl: "curl",
  unshare: "util-linux",
  "systemd-analyze": "systemd", // test/daemon: the generated unit must pass `systemd-analyze verify`
  script: "bsdutils", // a real pseudo-terminal for the interactive onboard tests
  chromium: "chromium", // the dashboard e2e drives Debian's headless Chromium through playwright-core
  initdb: "postgresql", // test/support/postgres.ts: a real server for the PostgreSQL store (in /usr/lib/postgresql/<ver>/bin, not on PATH)
  "qemu-aarch64": "qemu-user", // test/e2e/release: the linux-arm64 binary runs under qemu-user
  "musl-gcc": "musl-tools", // …and the musl binaries under /lib/ld-musl-x86_64.so.1 (musl, which musl-tools pulls in)
  "/usr/aarch64-linux-gnu/lib/ld-linux-aarch64.so.1": "libc6-arm64-cross", // the arm64 glibc loader qemu-aarch64 -L uses
  shellcheck: "shellcheck", // install.sh must be shellcheck-clean
};

/** Debian installs the server programs under /usr/lib/postgresql/<ver>/bin, off PATH. */
function hasPostgres(): boolean {
  const root = "/usr/lib/postgresql";
  return existsSync(root) && readdirSync(root).some((v) => existsSync(`${root}/${v}/bin/initdb`) && existsSync(`${root}/${v}/bin/pg_ctl`));
}

function works(bin: string): boolean {
  if (bin === "initdb") return hasPostgres();
  const path = Bun.which(bin, { PATH: `${process.env.PATH ?? ""}:/usr/sbin:/sbin` });
  if (!path) return false;
  if (bin !== "bwrap") return true;
  return Bun.spawnSync([path, "--version"], { stdout: "pipe", stderr: "pipe" }).exitCode === 0;
}

function missingPackages(): string[] {
  return [...new Set(Object.entries(REQUIRED).filter(([bin]) => !works(bin)).map(([, pkg]) => pkg))];
}

function ensurePackages(): void {
  const missing = missingPackages();
  if (missing.length === 0) return;
  const install = `apt-get update && apt-get install -y ${missing.join(" ")}`;
  const isRoot = process.getuid?.() === 0;
  if (isRoot && Bun.which("apt-get")) {
    console.log(`ensure-system: missing ${missing.join(", ")}; running: ${install}`);
    const r = Bun.spawnSync(["sh", "-c", install], {
      stdout: "inherit",
      stderr: "inherit",
      env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
    });
    const still = missingPackages();
    if (r.exitCode === 0 && still.length === 0) return;
    console.error(`ensure-system: installing ${still.join(", ")} failed (exit ${r.exitCode}); run it yourself: ${install}`);
    process.exit(1);
  }
  const how = Bun.which("apt-get") ? `sudo sh -c '${install}'` : `install these packages with your package manager: ${missing.join(", ")}`;
  console.error(`ensure-system: the tests need ${missing.join(", ")}, which ${missing.length === 1 ? "is" : "are"} not installed.\n  ${how}`);
  process.exit(1);
}

ensurePackages();
const embedded = generate();
const bwrap = Bun.spawnSync(["bwrap", "--version"], { stdout: "pipe" }).stdout.toString().trim();
console.log(`ensure-system: ${bwrap}; embed module ${embedded.changed ? "regenerated" : "up to date"}`);

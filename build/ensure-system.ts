// `pretest`: the system parts the tests need, never silently skipped.
//   - bubblewrap (`bwrap`) for the sandbox: installed with apt-get when we are root and apt-get
//     exists; otherwise the exact command is printed and we exit 1.
//   - the generated embed module (src/generated/embedded.ts) is brought up to date.
// Run: bun build/ensure-system.ts
import { generate } from "./embed.mjs";

const INSTALL = "apt-get update && apt-get install -y bubblewrap";

function bwrapVersion(): string | null {
  const path = Bun.which("bwrap");
  if (!path) return null;
  const r = Bun.spawnSync([path, "--version"], { stdout: "pipe", stderr: "pipe" });
  return r.exitCode === 0 ? r.stdout.toString().trim() : null;
}

function ensureBwrap(): void {
  if (bwrapVersion()) return;
  const isRoot = process.getuid?.() === 0;
  if (isRoot && Bun.which("apt-get")) {
    console.log(`ensure-system: bwrap not found; running: ${INSTALL}`);
    const r = Bun.spawnSync(["sh", "-c", INSTALL], {
      stdout: "inherit",
      stderr: "inherit",
      env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
    });
    if (r.exitCode === 0 && bwrapVersion()) return;
    console.error(`ensure-system: installing bubblewrap failed (exit ${r.exitCode}); run it yourself: ${INSTALL}`);
    process.exit(1);
  }
  const how = Bun.which("apt-get") ? `sudo sh -c '${INSTALL}'` : "install bubblewrap with your package manager (it provides `bwrap`)";
  console.error(`ensure-system: the sandbox tests need bubblewrap (bwrap), which is not on PATH.\n  ${how}`);
  process.exit(1);
}

ensureBwrap();
const embedded = generate();
console.log(`ensure-system: ${bwrapVersion()}; embed module ${embedded.changed ? "regenerated" : "up to date"}`);

/**
 * `openclaw doctor [--fix] [--deep] [--json]`: one line per check (ok / warn / fail) with the
 * exact fix; the checks themselves are src/ops/doctor.ts. Exit 0 when nothing fails, 1 otherwise.
 */
import { defineCommand } from "citty";
import type { CheckResult, DoctorReport } from "../ops/doctor.ts";
import { redact } from "../core/secrets.ts";
import { EXIT, globals, output } from "./output.ts";

const MARK = { ok: "ok  ", warn: "warn", fail: "FAIL" } as const;

export function formatReport(r: DoctorReport): string {
  const lines = r.checks.map((c: CheckResult) => `${MARK[c.status]}  ${c.id}: ${c.message}${c.repaired ? ` [repaired: ${c.repaired}]` : ""}${c.status !== "ok" && c.fix ? `\n      fix: ${c.fix}` : ""}`);
  const count = (s: CheckResult["status"]) => r.checks.filter((c) => c.status === s).length;
  lines.push("", `${count("ok")} ok, ${count("warn")} warnings, ${count("fail")} failed${r.repairs.length ? `; ${r.repairs.length} repaired` : ""}`);
  if (!r.ok && r.repairs.length === 0) lines.push("openclaw doctor --fix repairs what is safe to repair (permissions, a missing token, missing folders)");
  return lines.join("\n");
}

export const command = defineCommand({
  meta: { name: "doctor", description: "Check the installation: config, files, database, port, token, providers, Telegram, sandbox, daemon" },
  args: {
    fix: { type: "boolean", description: "repair what is safe: chmod 600 config/token, chmod 700 folders, create missing folders and token" },
    deep: { type: "boolean", description: "also verify the provider keys (one minimal request) and the Telegram token (getMe)" },
  },
  async run({ args }) {
    const { runDoctor } = await import("../ops/doctor.ts");
    const report = await runDoctor({ fix: args.fix === true, deep: args.deep === true });
    // every check masks what it quotes; redact() once more over the whole output is the backstop
    if (globals().json) process.stdout.write(redact(JSON.stringify(report)) + "\n");
    else output(() => redact(formatReport(report)), {});
    process.exitCode = report.ok ? EXIT.ok : EXIT.error;
  },
});

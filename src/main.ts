// Entry point: run the CLI, nothing else. (No top-level await: the compiled binary uses bytecode.)
// `gateway run` first re-executes itself once with a GC budget in its environment (core/heap-budget.ts).
// The exceptions: the binary re-executes itself as the sandbox's egress bridge (sandbox/egress-bridge.ts)
// and as a plugin runner (plugins/runner.ts; imported only then, so the CLI never loads for it).
import { main } from "./cli/index.ts";
import { heapBudgetExec } from "./core/heap-budget.ts";
import { PLUGIN_RUNNER_ARG } from "./plugins/runner-arg.ts";
import { EGRESS_BRIDGE_ARG, runBridge } from "./sandbox/egress-bridge.ts";

if (process.argv[2] === EGRESS_BRIDGE_ARG) {
  runBridge(process.argv.slice(3));
} else if (process.argv[2] === PLUGIN_RUNNER_ARG) {
  void import("./plugins/runner-main.ts");
} else {
  reexecWithHeapBudget(); // `gateway run` only: the same pid goes on as a gateway with a GC budget (core/heap-budget.ts)
  void main().then((code) => {
    process.exitCode = code;
  });
}

function reexecWithHeapBudget(): void {
  const exec = heapBudgetExec(process.argv, process.env, process.execPath);
  if (!exec || typeof process.execve !== "function") return;
  try {
    process.execve(exec.path, exec.args, exec.env as Record<string, string>);
  } catch {
    // not supported here: go on with JSC's default sizing
  }
}

// Entry point: run the CLI, nothing else. (No top-level await: the compiled binary uses bytecode.)
// The exceptions: the binary re-executes itself as the sandbox's egress bridge (sandbox/egress-bridge.ts)
// and as a plugin runner (plugins/runner.ts; imported only then, so the CLI never loads for it).
import { main } from "./cli/index.ts";
import { PLUGIN_RUNNER_ARG } from "./plugins/runner-arg.ts";
import { EGRESS_BRIDGE_ARG, runBridge } from "./sandbox/egress-bridge.ts";

if (process.argv[2] === EGRESS_BRIDGE_ARG) {
  runBridge(process.argv.slice(3));
} else if (process.argv[2] === PLUGIN_RUNNER_ARG) {
  void import("./plugins/runner-main.ts");
} else {
  void main().then((code) => {
    process.exitCode = code;
  });
}

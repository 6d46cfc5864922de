// Entry point: run the CLI, nothing else. (No top-level await: the compiled binary uses bytecode.)
// The one exception: the binary re-executes itself as the sandbox's egress bridge (sandbox/egress-bridge.ts).
import { main } from "./cli/index.ts";
import { EGRESS_BRIDGE_ARG, runBridge } from "./sandbox/egress-bridge.ts";

if (process.argv[2] === EGRESS_BRIDGE_ARG) {
  runBridge(process.argv.slice(3));
} else {
  void main().then((code) => {
    process.exitCode = code;
  });
}

// Entry point: run the CLI, nothing else. (No top-level await: the compiled binary uses bytecode.)
import { main } from "./cli/index.ts";

void main().then((code) => {
  process.exitCode = code;
});

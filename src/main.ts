// Entry point: run the CLI, nothing else.
import { main } from "./cli/index.ts";

process.exitCode = await main();

/** What `main.ts` starts for PLUGIN_RUNNER_ARG: the runner with the plugin loader. */
import { loadPlugin } from "./load.ts";
import { runRunner } from "./runner.ts";

runRunner(loadPlugin);

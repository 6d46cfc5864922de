/** The hidden argument that makes the binary (or src/main.ts) run as a plugin runner (runner.ts). */
export const PLUGIN_RUNNER_ARG = "__plugin-runner";

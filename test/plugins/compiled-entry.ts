// Entry of the tiny binary test/plugins/load-compiled.test.ts compiles: load the plugin at
// argv[2] through loadPlugin, call its first tool with argv[3] (JSON), print what came back.
import { loadPlugin } from "../../src/plugins/load.ts";

const [entry, id, input] = process.argv.slice(2);
const log = (level: string) => (message: string) => console.error(`[${level}] ${message}`);
try {
  const p = await loadPlugin(entry!, { id: id!, dir: entry!, dataDir: process.cwd(), pluginConfig: {}, config: {}, logger: { debug: log("debug"), info: log("info"), warn: log("warn"), error: log("error") } });
  const result = await p.tools[0]!.execute(JSON.parse(input ?? "{}"), { toolCallId: "call_1", sessionKey: "s", runId: "r", signal: new AbortController().signal });
  console.log(JSON.stringify({ hooks: p.hooks.map((h) => h.name), tools: p.tools.map((t) => t.name), result }));
} catch (err) {
  console.log(JSON.stringify({ error: (err as Error).message }));
}

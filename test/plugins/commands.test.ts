// Plugin chat commands: `/name args` answered by the plugin without a model call, through the
// runtime's command seam — on Telegram (fake Bot API) and through AgentRuntime.start as chat.send uses it.
import { afterEach, describe, expect, test } from "bun:test";
import { parseCommand, pluginCommands } from "../../src/plugins/commands.ts";
import { say } from "../fakes/scripted-provider.ts";
import { OWNER, setup, type Harness } from "../channels/harness.ts";
import { startHost, type TestHost } from "./helpers.ts";

let h: TestHost | undefined;
let tg: Harness | undefined;
afterEach(async () => {
  await tg?.close();
  await h?.host.stop();
  h = tg = undefined;
});

describe("plugin commands", () => {
  test("parseCommand: /name, /name@bot, arguments kept; not a command otherwise", () => {
    expect(parseCommand("/echo hello  world")).toEqual({ name: "echo", args: "hello  world" });
    expect(parseCommand("/echo@my_bot hi")).toEqual({ name: "echo", args: "hi" });
    expect(parseCommand("/echo")).toEqual({ name: "echo", args: "" });
    expect(parseCommand("echo hi")).toBeUndefined();
    expect(parseCommand("/ echo")).toBeUndefined();
  });

  test("a plugin command on Telegram answers without a model call; other text still reaches the model", async () => {
    tg = await setup({ script: [say.text("from the model")] });
    h = await startHost(["command"], { host: { targets: [tg.runtime] } });
    tg.runtime.withCommands(pluginCommands(h.host));
    tg.fake.dm(OWNER, "/echo hello there");
    await tg.fake.waitFor(() => tg!.fake.textsIn(OWNER).includes("echo(telegram): hello there"), 5000, "command reply");
    expect(tg.provider.calls).toBe(0);
    tg.fake.dm(OWNER, "/unknown thing");
    await tg.fake.waitFor(() => tg!.fake.textsIn(OWNER).includes("from the model"), 5000, "model reply");
    expect(tg.provider.calls).toBe(1);
  });

  test("over the runtime (chat.send's path): the answer is the run's final text; a disabled plugin's command is no longer one", async () => {
    tg = await setup({ script: [], start: false });
    h = await startHost(["command"], { host: { targets: [tg.runtime] } });
    tg.runtime.withCommands(pluginCommands(h.host));
    const handle = await tg.runtime.start({ sessionKey: "agent:main:cli", text: "/echo via gateway" });
    const types: string[] = [];
    for await (const e of handle.events) types.push(e.type);
    expect(types).toEqual(["run_started", "text_delta", "final"]);
    expect(await handle.done).toMatchObject({ outcome: "ok", text: "echo(gateway): via gateway" });
    expect(tg.provider.calls).toBe(0);
    h.host.instance("command")!.disable("test");
    // a disabled plugin's command is no command: the message goes to the model (which has nothing scripted)
    expect(await pluginCommands(h.host)("/echo x", { sessionKey: "s", agentId: "main", channel: "gateway" })).toBeUndefined();
  });
});

// `gateway run` under a Type=notify unit: READY=1 arrives on NOTIFY_SOCKET only once the gateway
// answers HTTP, and STOPPING=1 when SIGTERM starts the graceful stop (then exit 0).
import { afterEach, expect, test } from "bun:test";
import { TOKEN } from "../gateway/helpers.ts";
import { spawnGateway, tempState } from "../gateway/process.ts";
import { listenNotify, parseState, type NotifyListener } from "./notify-listener.ts";

let listener: NotifyListener | undefined;
let child: ReturnType<typeof spawnGateway> | undefined;
afterEach(() => {
  listener?.close();
  if (child && child.proc.exitCode === null) child.proc.kill("SIGKILL"); // a failed assertion must not leave a gateway behind
});

const config = {
  gateway: { auth: { token: TOKEN } },
  models: { providers: { anthropic: { baseUrl: "http://127.0.0.1:9", apiKey: "sk-ant-test-" + "k".repeat(24) } } },
  agents: { defaults: { model: "anthropic/claude-test", sandbox: { level: "off" } } },
};

for (const abstract of [false, true]) {
  test(`READY=1 after listening, STOPPING=1 at SIGTERM (${abstract ? "abstract socket" : "socket path"})`, async () => {
    listener = await listenNotify({ abstract });
    child = spawnGateway({ ...tempState(config), env: { NOTIFY_SOCKET: listener.socket } });
    const ready = parseState(await listener.next(30_000));
    expect(ready.READY).toBe("1");
    expect(ready.MAINPID).toBe(String(child.proc.pid));
    const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(ready.STATUS ?? "")?.[1];
    expect(url).toBeDefined();
    expect((await fetch(`${url}/healthz`)).status).toBe(200); // ready means it already answers
    await child.started;

    child.proc.kill("SIGTERM");
    const stopping = parseState(await listener.next());
    expect(stopping.STOPPING).toBe("1");
    expect(stopping.STATUS).toContain("SIGTERM");
    expect(await child.proc.exited).toBe(0);
  }, 60_000);
}

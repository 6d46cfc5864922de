// Adversarial suite, part 4: secrets outside $HOME and the state dir, at standard and strict, with
// real bwrap. The config at OPENCLAW_CONFIG_PATH=/elsewhere, a telegram tokenFile, a plugin's
// credentials file, another gateway's state dir (found through the instance registry) and a host
// Unix socket: `exec` reads none of them and reaches none of them.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { join } from "node:path";
import { ConfigSchema } from "../../src/config/schema.ts";
import { createExecutor } from "../../src/sandbox/create-executor.ts";
import type { Executor } from "../../src/sandbox/executor.ts";
import { LEVELS, quietLog, useFakeHost, visibleHostBase } from "./bwrap-helpers.ts";

const h = useFakeHost();
const base = mkdtempSync(join(visibleHostBase(), ".sandbox-secrets-")); // visible on the ro root, outside HOME and /tmp
const registry = mkdtempSync(join(process.env.TMPDIR ?? "/tmp", "registry-"));
const key = `sk-ant-api03-${crypto.randomUUID().replaceAll("-", "")}CONFIGKEY`;
const configFile = join(base, "etc", "openclaw.json");
const tokenFile = join(base, "secrets", "telegram.token");
const credFile = join(base, "secrets", "plugin-creds.json");
const other = join(base, "other-gateway-state");
const sockPath = join(base, "host.sock");
const savedConfigPath = process.env.OPENCLAW_CONFIG_PATH;
let neighbour: ChildProcess;
let sockServer: Server;

beforeAll(async () => {
  mkdirSync(join(base, "etc"));
  mkdirSync(join(base, "secrets"));
  mkdirSync(join(other, "credentials"), { recursive: true });
  writeFileSync(configFile, JSON.stringify({ models: { providers: { anthropic: { apiKey: key } } } }));
  writeFileSync(tokenFile, "123456789:TELEGRAM-TOKEN-FROM-FILE-abcdefghijklmnopq");
  writeFileSync(credFile, '{"password":"PLUGIN-CREDENTIAL"}');
  writeFileSync(join(other, "credentials", "gateway-token"), "OTHER-GATEWAY-TOKEN");
  process.env.OPENCLAW_CONFIG_PATH = configFile;
  // another gateway: a live process whose registry entry lists its state dir
  neighbour = spawn("sleep", ["600"], { stdio: "ignore" });
  writeFileSync(join(registry, `${neighbour.pid}.json`), JSON.stringify({ pid: neighbour.pid, paths: [other] }));
  sockServer = createServer((c) => c.end("HOST-SOCKET-ANSWER"));
  await new Promise<void>((r) => sockServer.listen(sockPath, r));
});
afterAll(() => {
  neighbour.kill("SIGKILL");
  sockServer.close();
  if (savedConfigPath === undefined) delete process.env.OPENCLAW_CONFIG_PATH;
  else process.env.OPENCLAW_CONFIG_PATH = savedConfigPath;
  rmSync(base, { recursive: true, force: true });
  rmSync(registry, { recursive: true, force: true });
});

for (const level of LEVELS) {
  describe(`secrets outside $HOME at ${level}`, () => {
    const executor = (networkAccess = false): Executor => {
      const config = ConfigSchema.parse({
        agents: { defaults: { workspace: join(h.state, `ws-secrets-${level}`), sandbox: { level, networkAccess, limits: { timeoutMs: 20_000 } } } },
        channels: { telegram: { tokenFile } },
        plugins: { entries: { vault: { config: { credentialsFile: credFile } } } },
      });
      return createExecutor(config, "main", { home: h.home, stateDir: h.state, log: quietLog, registryDir: registry });
    };

    test("the config, token files, credentials and another gateway's state read as nothing", async () => {
      const ex = executor();
      expect((await ex.status()).ok).toBe(true);
      const r = await ex.exec({ command: `cat ${configFile} ${tokenFile} ${credFile} ${join(other, "credentials", "gateway-token")}; ls ${other}; echo done` });
      const seen = r.stdout + r.stderr;
      expect(r.stdout.endsWith("done\n")).toBe(true);
      for (const s of [key, "TELEGRAM-TOKEN", "PLUGIN-CREDENTIAL", "OTHER-GATEWAY-TOKEN"]) expect(seen).not.toContain(s);
      expect(r.stdout).toBe("done\n"); // not even the other state dir's listing
      expect(readFileSync(configFile, "utf8")).toContain(key); // still there on the host
    });

    test("this gateway published its secret paths to the registry, for its neighbours", () => {
      executor();
      const entry = JSON.parse(readFileSync(join(registry, `${process.pid}.json`), "utf8")) as { paths: string[] };
      expect(entry.paths).toEqual(expect.arrayContaining([configFile, tokenFile, credFile, h.state]));
    });

    test("with the network off, a host Unix socket outside the masked folders does not answer", async () => {
      const probe = `python3 -c "import socket; s=socket.socket(socket.AF_UNIX); s.connect('${sockPath}'); print(s.recv(64).decode())" 2>&1; echo rc=$?`;
      const r = await executor(false).exec({ command: probe });
      expect(r.stdout).not.toContain("HOST-SOCKET-ANSWER");
      expect(r.stdout).toMatch(/rc=[1-9]/);
      if (level === "standard") {
        // the same socket, network on: reachable (so the refusal above is the mask, not python failing)
        const on = await executor(true).exec({ command: probe });
        expect(on.stdout).toContain("HOST-SOCKET-ANSWER");
      }
    });
  });
}

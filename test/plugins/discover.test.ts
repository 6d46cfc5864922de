// Discovery and the manifest, read without running plugin code: load.paths and <state>/extensions,
// allow/deny/enabled, ownership and permission refusals, config checked against configSchema.
import { describe, expect, test } from "bun:test";
import { chmodSync, chownSync, cpSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ConfigSchema, type ConfigInput } from "../../src/config/schema.ts";
import { discoverPlugins, extensionsDir } from "../../src/plugins/discover.ts";
import { readPluginDir, validatePluginConfig } from "../../src/plugins/manifest.ts";
import { tempDir } from "../tools/helpers.ts";
import { fixture } from "./helpers.ts";

function plugin(root: string, id: string, files: Record<string, string> = {}, manifest: Record<string, unknown> = {}): string {
  const dir = join(root, id);
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  writeFileSync(join(dir, "openclaw.plugin.json"), JSON.stringify({ id, configSchema: {}, ...manifest }), { mode: 0o644 });
  for (const [name, text] of Object.entries({ "index.ts": "export default {};", ...files })) {
    mkdirSync(join(dir, name, ".."), { recursive: true });
    writeFileSync(join(dir, name), text, { mode: 0o644 });
  }
  return dir;
}

function discover(input: ConfigInput, stateDir: string) {
  return discoverPlugins({ config: ConfigSchema.parse(input), configFile: join(stateDir, "openclaw.json"), stateDir });
}

describe("plugin discovery", () => {
  test("load.paths first, then <state dir>/extensions/*; a duplicate id is refused naming both", () => {
    const root = tempDir("disc-");
    const state = join(root, "state");
    plugin(extensionsDir(state), "alpha");
    plugin(extensionsDir(state), "beta");
    const dup = plugin(join(root, "elsewhere"), "beta");
    const out = discover({ plugins: { load: { paths: [dup] } } }, state);
    expect(out.map((c) => [c.id, c.source, Boolean(c.ready)])).toEqual([["beta", "load.paths", true], ["alpha", "extensions", true], ["beta", "extensions", false]]);
    expect(out[2]!.error).toContain(`plugin id beta is already loaded from ${dup}`);
  });

  test("plugins.enabled, deny, allow and entries.<id>.enabled skip a plugin with the reason", () => {
    const state = join(tempDir("disc-"), "state");
    for (const id of ["a", "b", "c"]) plugin(extensionsDir(state), id);
    const reasons = (input: ConfigInput) => discover(input, state).map((c) => c.skipped ?? "ready");
    expect(reasons({ plugins: { enabled: false } })).toEqual(Array(3).fill("plugins.enabled is false"));
    expect(reasons({ plugins: { deny: ["b"], allow: ["a", "b"] } })).toEqual(["ready", "plugins.deny lists b", "plugins.allow does not list c"]);
    expect(reasons({ plugins: { entries: { c: { enabled: false } } } })).toEqual(["ready", "ready", "plugins.entries.c.enabled is false"]);
  });

  test("package.json openclaw.extensions names the entry; an entry outside the directory is refused", () => {
    const root = tempDir("disc-");
    const dir = plugin(root, "pkg", { "package.json": JSON.stringify({ openclaw: { extensions: ["./src/main.ts"] } }), "src/main.ts": "export default {};" });
    expect(readPluginDir(dir).entry).toBe(join(dir, "src/main.ts"));
    const bad = plugin(root, "escape", { "package.json": JSON.stringify({ openclaw: { extensions: ["../pkg/index.ts"] } }) });
    expect(() => readPluginDir(bad)).toThrow("leaves the plugin directory");
    const none = join(root, "none");
    mkdirSync(none);
    expect(() => readPluginDir(none)).toThrow(`${none} has no openclaw.plugin.json`);
  });

  test("a manifest without id or configSchema is refused, saying what it needs", () => {
    const dir = plugin(tempDir("disc-"), "noschema", {}, { configSchema: undefined });
    expect(() => readPluginDir(dir)).toThrow('configSchema: ');
    expect(() => readPluginDir(dir)).toThrow('a manifest needs "id" (string) and "configSchema"');
  });

  test("a world- or group-writable plugin dir, manifest or entry is refused with the chmod fix", () => {
    const root = tempDir("disc-");
    const dir = plugin(root, "loose");
    chmodSync(dir, 0o777);
    expect(() => readPluginDir(dir)).toThrow(`${dir} is writable by everyone, so another user could change the plugin's code; run chmod go-w ${dir}`);
    chmodSync(dir, 0o755);
    chmodSync(join(dir, "index.ts"), 0o664);
    expect(() => readPluginDir(dir)).toThrow(`${join(dir, "index.ts")} is writable by its group`);
  });

  test("a plugin dir owned by another user is refused", () => {
    const dir = plugin(tempDir("disc-"), "theirs");
    const me = process.getuid!();
    if (me === 0) {
      // as root: really give the directory to another user (root-owned plugin dirs are accepted)
      chownSync(dir, 4242, 4242);
      expect(() => readPluginDir(dir)).toThrow(`${dir} is owned by uid 4242, not by this user (uid 0); a plugin must belong to the user running the gateway`);
    } else {
      // not root: check as if this process were another user, so the files' owner is "another user"
      expect(() => readPluginDir(dir, me + 4242)).toThrow(`is owned by uid ${me}, not by this user (uid ${me + 4242})`);
    }
  });

  test("plugin config is validated against configSchema: the error names the plugin, the key and the fix; defaults are filled", () => {
    const schema = { type: "object", properties: { city: { type: "string" }, units: { type: "string", enum: ["metric", "imperial"], default: "metric" } }, required: ["city"], additionalProperties: false };
    expect(validatePluginConfig("weather", schema, { city: "Oslo" })).toEqual({ city: "Oslo", units: "metric" });
    expect(() => validatePluginConfig("weather", schema, {})).toThrow("plugin weather: plugins.entries.weather.config.city is required; set it: openclaw config set plugins.entries.weather.config.city <value>");
    expect(() => validatePluginConfig("weather", schema, { city: "Oslo", units: "kelvin" })).toThrow("plugins.entries.weather.config.units must be equal to one of the allowed values");
    expect(() => validatePluginConfig("weather", schema, { city: "Oslo", colour: 1 })).toThrow("plugins.entries.weather.config.colour is not a setting this plugin knows; remove it: openclaw config unset plugins.entries.weather.config.colour");
    const state = join(tempDir("disc-"), "state");
    cpSync(fixture("tool"), join(extensionsDir(state), "tool"), { recursive: true });
    plugin(extensionsDir(state), "weather", {}, { configSchema: schema });
    const [, weather] = discover({ plugins: { entries: { weather: { config: { city: 3 } } } } }, state);
    expect(weather).toMatchObject({ id: "weather", error: "plugin weather: plugins.entries.weather.config.city must be string; fix it in the config file (openclaw config set plugins.entries.weather.config.city <value>) or remove the key" });
    expect(weather!.ready).toBeUndefined();
  });

  test("without gateway auth a plugin with network is refused (it could drive the gateway on loopback); without network it starts", () => {
    const state = join(tempDir("disc-"), "state");
    plugin(extensionsDir(state), "netty");
    plugin(extensionsDir(state), "quiet");
    const [netty, quiet] = discover({ gateway: { auth: { mode: "none" } }, plugins: { entries: { quiet: { sandbox: { network: false } } } } }, state);
    expect(netty).toMatchObject({ id: "netty", error: 'plugin netty has network access and gateway.auth.mode is "none", so it could call the gateway on loopback with full rights; set gateway.auth.mode to "token", or plugins.entries.netty.sandbox.network to false' });
    expect(netty!.ready).toBeUndefined();
    expect(quiet!.ready).toMatchObject({ network: false });
    const [withToken] = discover({}, state);
    expect(withToken!.ready).toMatchObject({ network: true });
  });
});

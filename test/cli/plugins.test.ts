// `openclaw plugins …` as a real subprocess: install from a directory and from an npm tarball
// (no install script runs), list/info from discovery, enable/disable in the config file.
import { describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fixture } from "../plugins/helpers.ts";
import { runCli, tempState } from "./run.ts";

const json = (out: string) => JSON.parse(out) as Record<string, any>;

describe("openclaw plugins", () => {
  test("install <dir> copies into <state>/extensions/<id>; list, info, disable, enable; a second install needs --force", () => {
    const st = tempState();
    const ext = join(st.env.OPENCLAW_STATE_DIR!, "extensions", "tool");
    const r = runCli(["--json", "plugins", "install", fixture("tool")], st.env);
    expect(r.code).toBe(0);
    expect(json(r.stdout)).toMatchObject({ ok: true, id: "tool", dir: ext, from: "path", replaced: false });
    expect(existsSync(join(ext, "index.ts"))).toBe(true);

    const again = runCli(["plugins", "install", fixture("tool")], st.env);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(`plugin tool is already installed at ${ext}; add --force to replace it`);
    expect(json(runCli(["--json", "plugins", "install", fixture("tool"), "--force"], st.env).stdout)).toMatchObject({ replaced: true });

    const list = json(runCli(["--json", "plugins", "list"], st.env).stdout);
    expect(list).toMatchObject({ gateway: "not running", plugins: [{ id: "tool", version: "1.0.0", dir: ext, source: "extensions", configured: "enabled" }] });

    expect(runCli(["plugins", "disable", "tool"], st.env).code).toBe(0);
    expect(JSON.parse(readFileSync(st.env.OPENCLAW_CONFIG_PATH!, "utf8")).plugins.entries.tool.enabled).toBe(false);
    const info = runCli(["plugins", "info", "tool"], st.env);
    expect(info.stdout).toContain("state: skipped (plugins.entries.tool.enabled is false)");
    expect(runCli(["plugins", "enable", "tool"], st.env).code).toBe(0);
    expect(runCli(["plugins", "info", "tool"], st.env).stdout).toContain("state: enabled");

    const missing = runCli(["plugins", "info", "nope"], st.env);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("no plugin nope; installed: tool");
  });

  test("install <npm tarball>: unpacked and installed with --ignore-scripts (no lifecycle script runs)", () => {
    const st = tempState();
    const src = join(st.dir, "src-pkg");
    mkdirSync(src, { recursive: true });
    const marker = join(st.dir, "SCRIPT-RAN");
    const script = `node -e "require('fs').writeFileSync('${marker}', 'x')"`;
    writeFileSync(join(src, "package.json"), JSON.stringify({
      name: "oc-plugin-scripted", version: "2.0.0", main: "index.js",
      scripts: { preinstall: script, install: script, postinstall: script, prepare: script, prepack: script },
      openclaw: { extensions: ["./index.js"] },
    }));
    writeFileSync(join(src, "openclaw.plugin.json"), JSON.stringify({ id: "scripted", version: "2.0.0", configSchema: {} }));
    writeFileSync(join(src, "index.js"), "export default {};\n");
    const packed = Bun.spawnSync(["npm", "pack", "--ignore-scripts", "--silent", "--pack-destination", st.dir], { cwd: src });
    expect(packed.exitCode).toBe(0);
    const tgz = join(st.dir, packed.stdout.toString().trim());
    const r = runCli(["--json", "plugins", "install", tgz], st.env);
    expect(r.stderr).toBe("");
    expect(json(r.stdout)).toMatchObject({ ok: true, id: "scripted", from: "npm" });
    const dir = join(st.env.OPENCLAW_STATE_DIR!, "extensions", "scripted");
    expect(existsSync(join(dir, "index.js"))).toBe(true);
    expect(existsSync(marker)).toBe(false);
    expect(runCli(["plugins", "list"], st.env).stdout).toContain("scripted@2.0.0  enabled");
  }, 60_000);

  test("install of something that is not a plugin says why and leaves nothing behind", () => {
    const st = tempState();
    const notPlugin = join(st.dir, "plain");
    mkdirSync(notPlugin);
    writeFileSync(join(notPlugin, "index.ts"), "export default {};");
    const r = runCli(["plugins", "install", notPlugin], st.env);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("has no openclaw.plugin.json");
    expect(runCli(["--json", "plugins", "list"], st.env).stdout).toContain('"plugins":[]');
  });
});

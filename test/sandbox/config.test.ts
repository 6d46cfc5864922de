// resolveSandboxConfig: defaults, per-agent overrides, real paths, and the allowed paths refused at load.
import { describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, mkdtempSync, realpathSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConfigError } from "../../src/core/errors.ts";
import { ConfigSchema } from "../../src/config/schema.ts";
import { resolveSandbox, resolveSandboxConfig } from "../../src/sandbox/config.ts";

const root = realpathSync(mkdtempSync(join(tmpdir(), "sbcfg-")));
const home = join(root, "home");
const state = join(home, ".openclaw");
mkdirSync(join(state, "credentials"), { recursive: true });
mkdirSync(join(state, "state"), { recursive: true });
const opts = { home, stateDir: state };
const project = join(root, "project");
mkdirSync(project);

describe("resolveSandboxConfig", () => {
  test("defaults: level standard, no network, allowed paths = the workspace (created when missing)", () => {
    const ws = join(root, "fresh-ws");
    const cfg = resolveSandboxConfig(ConfigSchema.parse({ agents: { defaults: { workspace: ws } } }), "main", opts);
    expect(cfg.level).toBe("standard");
    expect(cfg.networkAccess).toBe(false);
    expect(cfg.allowedPaths).toEqual([ws]);
    expect(cfg.workspace).toBe(ws);
    expect(existsSync(ws)).toBe(true);
    expect(cfg.limits.processes).toBe(64);
  });

  test("per-agent sandbox settings override the defaults; other agents keep them", () => {
    const config = ConfigSchema.parse({
      agents: {
        defaults: { workspace: join(root, "ws-main"), sandbox: { level: "strict", networkAccess: true } },
        entries: { helper: { workspace: join(root, "ws-helper"), sandbox: { networkAccess: false, allowedPaths: [project] } } },
      },
    });
    const main = resolveSandboxConfig(config, "main", opts);
    const helper = resolveSandboxConfig(config, "helper", opts);
    expect(main).toMatchObject({ level: "strict", networkAccess: true, allowedPaths: [join(root, "ws-main")] });
    expect(helper).toMatchObject({ level: "strict", networkAccess: false, allowedPaths: [project], workspace: join(root, "ws-helper") });
  });

  test("allowed paths are resolved to real paths once (a symlink becomes its target)", () => {
    const link = join(root, "project-link");
    if (!existsSync(link)) symlinkSync(project, link);
    const cfg = resolveSandbox({ allowedPaths: [link, project] }, { ...opts, workspace: join(root, "ws-a") });
    expect(cfg.allowedPaths).toEqual([project]);
  });

  const refused: [string, string, RegExp][] = [
    ["/", "/", /"\/" may not be an allowed path/],
    ["$HOME", home, /is \$HOME/],
    ["the state dir", state, /is the state directory/],
    ["a parent of $HOME", root, /contains \$HOME/],
    ["the credentials folder", join(state, "credentials"), /gateway's private folder/],
    ["inside the database folder", join(state, "state"), /gateway's private folder/],
  ];
  for (const [name, path, why] of refused) {
    test(`refuses ${name} at load, naming the key and the fix`, () => {
      const config = ConfigSchema.parse({ agents: { defaults: { workspace: join(root, "ws-b"), sandbox: { allowedPaths: [project, path] } } } });
      let err: unknown;
      try {
        resolveSandboxConfig(config, "main", opts);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as Error).message).toMatch(why);
      expect((err as Error).message).toContain("agents.defaults.sandbox.allowedPaths[1]");
      expect((err as Error).message).toContain("list only project folders");
    });
  }

  test("a symlink to $HOME is refused too (the check is on the real path)", () => {
    const link = join(root, "home-link");
    if (!existsSync(link)) symlinkSync(home, link);
    expect(() => resolveSandbox({ allowedPaths: [link] }, { ...opts, workspace: join(root, "ws-c"), pathsKey: "agents.entries.x.sandbox.allowedPaths" })).toThrow(
      /agents\.entries\.x\.sandbox\.allowedPaths\[0\].*is \$HOME/,
    );
  });

  test("a workspace equal to $HOME is refused under its own key", () => {
    const config = ConfigSchema.parse({ agents: { defaults: { workspace: home } } });
    expect(() => resolveSandboxConfig(config, "main", opts)).toThrow(/agents\.defaults\.workspace: .* is \$HOME/);
  });

  test("a missing extra allowed path is an error that names it", () => {
    expect(() => resolveSandbox({ allowedPaths: [join(root, "nope")] }, { ...opts, workspace: join(root, "ws-d") })).toThrow(/sandbox\.allowedPaths\[0\]: .*nope does not exist/);
  });

  test("invalid values are ConfigErrors with the key", () => {
    expect(() => resolveSandbox({ level: "paranoid" as never }, opts)).toThrow(ConfigError);
  });
});

// The egress allowlist policy (pure) and its config checks: which entries are valid, what they
// match, and the ConfigError a bad entry or an unenforceable setup gets at config load.
import { describe, expect, test } from "bun:test";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConfigError } from "../../src/core/errors.ts";
import { ConfigSchema } from "../../src/config/schema.ts";
import { resolveSandboxConfig } from "../../src/sandbox/config.ts";
import { egressAllows, parseEgressAllow, parseEgressRule, type EgressRule } from "../../src/sandbox/egress-rules.ts";

describe("parseEgressRule", () => {
  const ok: [string, EgressRule][] = [
    ["api.github.com", { host: "api.github.com", wildcard: false, port: null }],
    ["API.GitHub.com.", { host: "api.github.com", wildcard: false, port: null }],
    ["*.githubusercontent.com", { host: "githubusercontent.com", wildcard: true, port: null }],
    ["registry.example.com:8443", { host: "registry.example.com", wildcard: false, port: 8443 }],
    ["*.example.org:80", { host: "example.org", wildcard: true, port: 80 }],
    ["localhost", { host: "localhost", wildcard: false, port: null }],
  ];
  for (const [entry, rule] of ok) test(`accepts ${entry}`, () => expect(parseEgressRule(entry)).toEqual(rule));

  const bad: [string, RegExp][] = [
    ["*", /every host.*networkAccess/],
    ["*:443", /every host/],
    ["https://api.github.com", /URL or path/],
    ["api.github.com/repos", /URL or path/],
    ["1.2.3.4", /IP address/],
    ["1.2.3.4:443", /IP address/],
    ["::1", /IP address/],
    ["[::1]:443", /IP address/],
    ["127.1", /not a valid host name/],
    ["exa mple.com", /not a valid host name/],
    ["-bad.example.com", /not a valid host name/],
    ["example.com:0", /outside 1-65535/],
    ["example.com:70000", /outside 1-65535/],
    ["*.com", /top-level domain/],
    ["", /not a valid host name/],
  ];
  for (const [entry, why] of bad) {
    test(`refuses ${JSON.stringify(entry)}`, () => {
      const r = parseEgressRule(entry);
      expect("error" in r && r.error).toMatch(why);
    });
  }
});

describe("egressAllows", () => {
  const { rules } = parseEgressAllow(["api.github.com", "*.example.org", "git.example.com:8443"]);
  const table: [string, number, boolean][] = [
    ["api.github.com", 443, true],
    ["api.github.com", 80, true],
    ["api.github.com", 22, false], // no port: 80 and 443 only
    ["github.com", 443, false],
    ["evil-api.github.com", 443, false],
    ["api.github.com.evil.com", 443, false],
    ["registry.example.org", 443, true],
    ["a.b.example.org", 443, true],
    ["example.org", 443, false], // a wildcard covers subdomains, not the name itself
    ["xexample.org", 443, false],
    ["git.example.com", 8443, true],
    ["git.example.com", 443, false], // an explicit port allows that port only
  ];
  for (const [host, port, want] of table) test(`${host}:${port} → ${want}`, () => expect(egressAllows(rules, host, port)).toBe(want));
});

describe("tools.exec.network.allow at config load", () => {
  const ws = () => mkdtempSync(join(tmpdir(), "egress-ws-"));
  const load = (input: unknown) => ConfigSchema.parse(input);

  test("defaults to an empty list (no filter)", () => {
    expect(load({}).tools.exec.network.allow).toEqual([]);
    expect(resolveSandboxConfig(load({}), "main", { workspace: ws() }).networkAllow).toEqual([]);
  });

  test("entries are normalised and de-duplicated into the resolved sandbox", () => {
    const cfg = load({ tools: { exec: { network: { allow: ["API.github.com", "api.github.com.", "*.example.org"] } } }, agents: { defaults: { sandbox: { networkAccess: true } } } });
    expect(resolveSandboxConfig(cfg, "main", { workspace: ws() }).networkAllow).toEqual(["api.github.com", "*.example.org"]);
  });

  test("a bad entry is a ConfigError naming the key, the index and the fix", () => {
    const cfg = load({ tools: { exec: { network: { allow: ["api.github.com", "10.0.0.1"] } } } });
    expect(() => resolveSandboxConfig(cfg, "main", { workspace: ws() })).toThrow(ConfigError);
    expect(() => resolveSandboxConfig(cfg, "main", { workspace: ws() })).toThrow(/tools\.exec\.network\.allow\[1\]: "10\.0\.0\.1" is an IP address.*host name/);
  });

  test("level off with an allowlist is refused: nothing could enforce it", () => {
    const cfg = load({ tools: { exec: { network: { allow: ["api.github.com"] } } }, agents: { defaults: { sandbox: { level: "off" } } } });
    expect(() => resolveSandboxConfig(cfg, "main", { workspace: ws() })).toThrow(/level is "off".*"standard" or "strict"/);
  });

  test("a memory limit too small for the bridge is refused with the number to set", () => {
    const cfg = load({
      tools: { exec: { network: { allow: ["api.github.com"] } } },
      agents: { defaults: { sandbox: { networkAccess: true, limits: { memoryMb: 256 } } } },
    });
    expect(() => resolveSandboxConfig(cfg, "main", { workspace: ws() })).toThrow(/memoryMb is 256; raise it to at least 512/);
  });

  test("a non-string entry fails the schema with its path", () => {
    const r = ConfigSchema.safeParse({ tools: { exec: { network: { allow: ["ok.example.com", 42] } } } });
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.path).toEqual(["tools", "exec", "network", "allow", 1]);
  });
});

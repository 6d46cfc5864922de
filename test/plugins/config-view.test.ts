// The gateway config a plugin sees (ctx.config / api.config) holds no secret: not the ones
// redactValue masks by key name, and not those it cannot know by name — provider `headers`,
// credential-like keys, another plugin's config. Real plugin process, real config schema.
import { afterEach, describe, expect, test } from "bun:test";
import { ConfigSchema } from "../../src/config/schema.ts";
import { redactValue } from "../../src/core/secrets.ts";
import type { ToolContext } from "../../src/tools/types.ts";
import { toolContext } from "../tools/helpers.ts";
import { startHost, type TestHost } from "./helpers.ts";

let h: TestHost | undefined;
afterEach(async () => {
  await h?.host.stop();
  h = undefined;
});

const SECRETS = {
  apiKey: "corpkey-1234567890",
  header: "hdr-secret-abcdef123456",
  basic: "dXNlcjpwYXNzd29yZA==",
  token: "gw-token-abcdefgh12345",
  otherPlugin: "XXXXsecretpath-of-another-plugin",
  clientKey: "ck-9876543210abcdef",
};

describe("the config a plugin sees", () => {
  test("every secret is masked, another plugin's config is gone, its own config and plain settings stay", async () => {
    const config = ConfigSchema.parse({
      models: { providers: { corp: { baseUrl: "https://llm.corp.example/v1", apiKey: SECRETS.apiKey, headers: { "x-api-key": SECRETS.header, Authorization: `Basic ${SECRETS.basic}` } } } },
      gateway: { auth: { token: SECRETS.token } },
      plugins: {
        entries: {
          other: { enabled: true, config: { webhook: `https://hooks.example/T000/${SECRETS.otherPlugin}` } },
          "config-probe": { config: { own: "mine", clientKey: SECRETS.clientKey } },
        },
      },
    });
    // the gateway passes the config through redactValue (src/app/plugins.ts); the host adds the plugin's view
    h = await startHost(["config-probe"], { host: { config: redactValue(config) } });
    const r = await h.target.tools.get("show_config")!.run({}, toolContext() as ToolContext);
    const text = (r.content[0] as { text: string }).text;
    for (const [name, secret] of Object.entries(SECRETS)) expect({ name, leaked: text.includes(secret) }).toEqual({ name, leaked: false });
    const seen = JSON.parse(text) as { models: { providers: { corp: { baseUrl: string } } }; gateway: { auth: { mode: string } }; plugins: { entries: Record<string, { enabled?: boolean; sandbox?: unknown; config?: Record<string, unknown> }> }; session: { mainKey: string } };
    expect(seen.models.providers.corp.baseUrl).toBe("https://llm.corp.example/v1");
    expect(seen.gateway.auth.mode).toBe("token");
    expect(seen.session.mainKey).toBe(config.session.mainKey);
    expect(seen.plugins.entries.other).toEqual({ enabled: true, sandbox: { network: true } });
    expect(seen.plugins.entries["config-probe"]!.config!.own).toBe("mine");
  });
});

import { describe, expect, test } from "bun:test";
import { configJsonSchema } from "../../src/config/validate.ts";
import { errorsByField, fieldsOf, parseInput, patchOf, FieldInputError, type ConfigField } from "../src/lib/config-form.ts";
import type { JsonSchema } from "../src/rpc/types.ts";
import ConfigPage from "../src/pages/ConfigPage.vue";
import { FakeGateway, settle } from "./fake-socket.ts";
import { mountPage } from "./mount.ts";

const schema = configJsonSchema() as JsonSchema;

describe("config form from the JSON Schema", () => {
  const fields = fieldsOf(schema);
  const byPath = new Map(fields.map((f) => [f.path, f]));

  test("the real schema gives a field for each leaf, with its kind", () => {
    expect(byPath.get("gateway.limits.maxBatch")).toMatchObject({ kind: "integer", default: 50 });
    expect(byPath.get("gateway.port")).toMatchObject({ kind: "integer" });
    expect(byPath.get("gateway.auth.mode")).toMatchObject({ kind: "enum", options: ["none", "token", "password"] });
    expect(byPath.get("gateway.allowedOrigins")).toMatchObject({ kind: "list" });
    expect(byPath.has("$schema")).toBe(false);
    expect(new Set(fields.map((f) => f.path)).size).toBe(fields.length);
  });

  test("input → patch value: numbers when they read as numbers, the raw text otherwise (the server says what is wrong)", () => {
    const int = byPath.get("gateway.limits.maxBatch")!;
    expect(parseInput(int, "25")).toBe(25);
    expect(parseInput(int, "lots")).toBe("lots");
    expect(parseInput(int, "  ")).toBeNull();
    expect(parseInput(byPath.get("gateway.allowedOrigins")!, "https://a.example\n\n https://b.example ")).toEqual(["https://a.example", "https://b.example"]);
    const json: ConfigField = { path: "x", kind: "json", label: "x" };
    expect(() => parseInput(json, "{oops")).toThrow(FieldInputError);
  });

  test("patchOf nests the paths into one merge patch", () => {
    expect(patchOf(new Map<string, unknown>([["gateway.limits.maxBatch", 10], ["gateway.port", 19001], ["logging.level", null]]))).toEqual({
      gateway: { limits: { maxBatch: 10 }, port: 19001 },
      logging: { level: null },
    });
  });

  test("server error details land at the field whose path they name (or under it)", () => {
    const m = errorsByField(
      [{ path: "gateway.limits.maxBatch", message: "must be > 0" }, { path: "gateway.allowedOrigins.1", message: "not a URL" }, { path: "nowhere", message: "unknown key" }],
      fields,
    );
    expect(m.byField).toEqual({ "gateway.limits.maxBatch": "must be > 0", "gateway.allowedOrigins": "not a URL" });
    expect(m.general).toEqual(["nowhere: unknown key"]);
  });
});

describe("ConfigPage", () => {
  test("a bad value is sent to config.patch and the server's error shows at that field; a good one saves", async () => {
    let reject = true;
    const gw = new FakeGateway({
      "config.schema": () => ({ schema }),
      "config.get": () => ({ config: { gateway: { port: 18789, limits: { maxBatch: 50 }, auth: { token: "abc…wxyz" } } } }),
      "config.patch": (p: { patch: unknown }) => {
        if (reject) throw Object.assign(new Error("invalid config"), { code: -32030, data: { details: [{ path: "gateway.limits.maxBatch", message: "Too small: expected number to be >0" }] } });
        return { changed: ["gateway.limits.maxBatch"], applied: ["gateway.limits.maxBatch"], restartRequired: [], config: p.patch };
      },
    });
    const { wrapper } = await mountPage(ConfigPage, gw);
    const field = wrapper.find('[data-testid="config-field"][data-path="gateway.limits.maxBatch"]');
    expect(field.exists()).toBe(true);
    const input = field.find("input");
    expect((input.element as HTMLInputElement).value).toBe("50");
    // a masked secret is shown as a password field, empty, and not sent unless typed
    const token = wrapper.find('[data-path="gateway.auth.token"] input');
    expect(token.attributes("type")).toBe("password");
    expect((token.element as HTMLInputElement).value).toBe("");

    await input.setValue("0");
    await wrapper.find('[data-testid="config-save"]').trigger("click");
    await settle();
    expect(gw.sent.find((s) => s.method === "config.patch")?.params).toEqual({ patch: { gateway: { limits: { maxBatch: 0 } } } });
    const err = wrapper.find('[data-path="gateway.limits.maxBatch"] [data-testid="config-field-error"]');
    expect(err.text()).toBe("Too small: expected number to be >0");
    expect(input.attributes("aria-invalid")).toBe("true");
    expect(wrapper.find('[data-testid="config-saved"]').exists()).toBe(false);

    reject = false;
    await input.setValue("25");
    await wrapper.find('[data-testid="config-save"]').trigger("click");
    await settle();
    expect(wrapper.find('[data-testid="config-field-error"]').exists()).toBe(false);
    expect(wrapper.find('[data-testid="config-saved"]').text()).toContain("Saved");
    wrapper.unmount();
  });
});

// e2e: the compiled binary serves the embedded dashboard files (Bun file embedding: they live in
// the binary's own $bunfs) before auth, with ETag/304 and the strict CSP. The binary is copied to a
// temp dir and run from there, so nothing is read from the source tree.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { copyFileSync, existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { assets } from "../../src/generated/embedded.ts";
import { TOKEN } from "../gateway/helpers.ts";
import { ROOT, spawnGateway, tempState, type GatewayChild } from "../gateway/process.ts";
import { BUILT, freshBinary } from "./fresh-binary.ts";

let gw: GatewayChild;

beforeAll(async () => {
  freshBinary(); // rebuilt when stale, like every e2e file: an old binary would serve old assets
  const bin = join(mkdtempSync(join(tmpdir(), "e2e-static-")), "openclaw");
  copyFileSync(BUILT, bin);
  gw = await spawnGateway({ ...tempState({ gateway: { auth: { token: TOKEN } } }), cmd: [bin] }).started;
}, 300_000);

afterAll(async () => {
  gw?.proc.kill("SIGTERM");
  if (gw) expect(await gw.exited).toBe(0);
});

describe("compiled binary: the dashboard's files", () => {
  const index = assets.find((a) => a.path === "/index.html")!;
  test("`/` is served without a token: the embedded index.html with its ETag, no-cache and the CSP", async () => {
    expect(index).toBeDefined();
    const r = await fetch(`${gw.url}/`);
    expect(r.status).toBe(200);
    expect(r.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(r.headers.get("etag")).toBe(index.etag);
    expect(r.headers.get("cache-control")).toBe("no-cache");
    expect(r.headers.get("content-security-policy")).toContain("script-src 'self'");
    const body = await r.text();
    expect(body).toBe(await Bun.file(index.file).text());
    expect(Number(r.headers.get("content-length") ?? body.length)).toBe(index.bytes);
    // the built dashboard's page, else (no dashboard/dist) the placeholder page (build/embed.mjs)
    const built = join(ROOT, "dashboard", "dist", "index.html");
    expect(body).toBe(readFileSync(existsSync(built) ? built : join(ROOT, "dashboard", "placeholder", "index.html"), "utf8"));
  });
  test("If-None-Match with the ETag is 304; the API still needs the token", async () => {
    const r = await fetch(`${gw.url}/`, { headers: { "if-none-match": index.etag } });
    expect(r.status).toBe(304);
    expect(await r.text()).toBe("");
    expect(r.headers.get("etag")).toBe(index.etag);
    const stale = await fetch(`${gw.url}/`, { headers: { "if-none-match": '"not-the-etag"' } });
    expect(stale.status).toBe(200); // another ETag gets the page
    expect(await stale.text()).toBe(await Bun.file(index.file).text());
    expect((await fetch(`${gw.url}/metrics`)).status).toBe(401);
    expect((await fetch(`${gw.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(200);
  });
});

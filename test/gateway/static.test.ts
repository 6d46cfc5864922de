// The dashboard's files through app.request(): served before auth (a browser loads `/` without a
// token), with ETag / If-None-Match, content types, immutable caching of hashed names, a strict CSP.
import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, writeFileSync } from "node:fs";
import { brotliCompressSync, brotliDecompressSync, gunzipSync, gzipSync } from "node:zlib";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { assets as embedded } from "../../src/generated/embedded.ts";
import { CONTENT_SECURITY_POLICY, isHashedName, matchesEtag, pickEncoding, type StaticAsset } from "../../src/gateway/static.ts";
import { makeHarness } from "./helpers.ts";

const h = makeHarness();
afterAll(() => h.close());

describe("the embedded dashboard", () => {
  const index = embedded.find((a) => a.path === "/index.html");
  test("is embedded as a file (path, type, size, ETag), not a heap string", () => {
    expect(index).toBeDefined();
    expect(index!.type).toBe("text/html; charset=utf-8");
    expect(index!.etag).toMatch(/^"[A-Za-z0-9_-]{16,}"$/);
    expect(Object.keys(index!).filter((k) => k !== "encodings").sort()).toEqual(["bytes", "etag", "file", "path", "type"]);
  });
  test("`/` serves index.html without a token, with a strict CSP and no-cache", async () => {
    const r = await h.request("/", { auth: null });
    expect(r.status).toBe(200);
    expect(r.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(await r.text()).toBe(await Bun.file(index!.file).text());
    expect(r.headers.get("etag")).toBe(index!.etag);
    expect(r.headers.get("cache-control")).toBe("no-cache");
    const csp = r.headers.get("content-security-policy")!;
    expect(csp).toBe(CONTENT_SECURITY_POLICY);
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain("unsafe");
    expect(r.headers.get("x-content-type-options")).toBe("nosniff");
    expect((await h.request("/index.html", { auth: null })).status).toBe(200);
  });
  test("If-None-Match with the ETag (strong, weak or in a list) is 304 without a body; another is 200", async () => {
    for (const inm of [index!.etag, `W/${index!.etag}`, `"other", ${index!.etag}`, "*"]) {
      const r = await h.request("/", { auth: null, headers: { "if-none-match": inm } });
      expect(r.status).toBe(304);
      expect(r.headers.get("etag")).toBe(index!.etag);
      expect(await r.text()).toBe("");
    }
    expect((await h.request("/", { auth: null, headers: { "if-none-match": '"stale"' } })).status).toBe(200);
  });
  test("only GET and HEAD; unknown files and API paths fall through to auth", async () => {
    expect((await h.request("/", { method: "POST", body: "x", auth: null })).status).toBe(401);
    expect((await h.request("/nope.js", { auth: null })).status).toBe(401);
    expect((await h.request("/metrics", { auth: null, headers: { accept: "text/html" } })).status).toBe(401);
    expect((await h.request("/v1/models", { auth: null, headers: { accept: "text/html" } })).status).toBe(401);
  });
  test("a dashboard route opened directly (no extension, asks for HTML) gets index.html", async () => {
    const page = await h.request("/sessions/agent:main:main", { auth: null, headers: { accept: "text/html,application/xhtml+xml" } });
    expect(page.status).toBe(200);
    expect(page.headers.get("etag")).toBe(index!.etag);
    expect((await h.request("/sessions/x", { auth: null, headers: { accept: "application/json" } })).status).toBe(401);
  });
});

describe("hashed assets", () => {
  const dir = mkdtempSync(join(tmpdir(), "gw-static-"));
  const js = join(dir, "app.js");
  writeFileSync(js, "console.log(1);\n");
  const assets: StaticAsset[] = [
    { path: "/index.html", file: join(dir, "index.html"), type: "text/html; charset=utf-8", etag: '"i"', bytes: 0 },
    { path: "/assets/index-B3x9kQz1.js", file: js, type: "text/javascript; charset=utf-8", etag: '"js1"', bytes: 16 },
  ];
  writeFileSync(assets[0]!.file, "");
  const css = "body { color: black; }\n".repeat(50);
  const variants = { br: brotliCompressSync(css), gzip: gzipSync(css) };
  for (const [ext, buf] of [["br", variants.br], ["gz", variants.gzip]] as const) writeFileSync(join(dir, `app.css.${ext}`), buf);
  writeFileSync(join(dir, "app.css"), css);
  assets.push({
    path: "/assets/app-Q1w2E3r4.css",
    file: join(dir, "app.css"),
    type: "text/css; charset=utf-8",
    etag: '"css1"',
    bytes: css.length,
    encodings: { br: { file: join(dir, "app.css.br"), bytes: variants.br.length }, gzip: { file: join(dir, "app.css.gz"), bytes: variants.gzip.length } },
  });
  const s = makeHarness({ deps: { assets } });
  afterAll(() => s.close());

  test("are immutable for a year, typed, and HEAD sends the headers without the body", async () => {
    const r = await s.request("/assets/index-B3x9kQz1.js", { auth: null });
    expect(r.status).toBe(200);
    expect(r.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    expect(r.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    expect(await r.text()).toBe("console.log(1);\n");
    const head = await s.request("/assets/index-B3x9kQz1.js", { method: "HEAD", auth: null });
    expect(head.status).toBe(200);
    expect(head.headers.get("content-length")).toBe("16");
    expect(await head.text()).toBe("");
  });
  test("precompressed variants: br before gzip as Accept-Encoding allows, each with its own ETag, Vary on all", async () => {
    const path = "/assets/app-Q1w2E3r4.css";
    const br = await s.request(path, { auth: null, headers: { "accept-encoding": "gzip, deflate, br" } });
    expect(br.headers.get("content-encoding")).toBe("br");
    expect(br.headers.get("vary")).toBe("accept-encoding");
    expect(br.headers.get("etag")).toBe('"css1-br"');
    expect(br.headers.get("content-type")).toBe("text/css; charset=utf-8");
    expect(brotliDecompressSync(Buffer.from(await br.arrayBuffer())).toString()).toBe(css);
    const gz = await s.request(path, { auth: null, headers: { "accept-encoding": "br;q=0, gzip" } });
    expect(gz.headers.get("content-encoding")).toBe("gzip");
    expect(gunzipSync(Buffer.from(await gz.arrayBuffer())).toString()).toBe(css);
    const plain = await s.request(path, { auth: null, headers: { "accept-encoding": "identity" } });
    expect(plain.headers.get("content-encoding")).toBeNull();
    expect(plain.headers.get("etag")).toBe('"css1"');
    expect(await plain.text()).toBe(css);
    const again = await s.request(path, { auth: null, headers: { "accept-encoding": "br", "if-none-match": '"css1-br"' } });
    expect(again.status).toBe(304);
    expect((await s.request(path, { auth: null, headers: { "accept-encoding": "gzip", "if-none-match": '"css1-br"' } })).status).toBe(200);
  });
  test("Accept-Encoding parsing", () => {
    expect(pickEncoding("gzip, br", ["br", "gzip"])).toBe("br");
    expect(pickEncoding("*", ["gzip"])).toBe("gzip");
    expect(pickEncoding("*;q=0", ["br", "gzip"])).toBeNull();
    expect(pickEncoding("br", ["gzip"])).toBeNull();
    expect(pickEncoding(null, ["br"])).toBeNull();
  });
  test("hashed names are told from plain ones; ETag matching follows RFC 9110", () => {
    expect(isHashedName("/assets/index-B3x9kQz1.js")).toBe(true);
    expect(isHashedName("/assets/index-DiwrgTda.css")).toBe(true);
    expect(isHashedName("/index.html")).toBe(false);
    expect(isHashedName("/some-longname.js")).toBe(false);
    expect(matchesEtag('W/"a"', '"a"')).toBe(true);
    expect(matchesEtag('"b"', '"a"')).toBe(false);
    expect(matchesEtag(null, '"a"')).toBe(false);
  });
});

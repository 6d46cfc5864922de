import { describe, expect, test } from "bun:test";
import { mount } from "@vue/test-utils";
import { jsdomSanitizer, jsdomWindow } from "./jsdom-sanitizer.ts";
import MarkdownView from "../src/components/common/MarkdownView.vue";

const { renderMarkdown, sanitizeHtml } = jsdomSanitizer;
/** Everything in a rendered fragment that could run script or restyle the page. */
function dangers(html: string): string[] {
  const box = jsdomWindow.document.createElement("div");
  box.innerHTML = html;
  const found: string[] = [];
  for (const el of box.querySelectorAll("*")) {
    const tag = el.tagName.toLowerCase();
    if (["script", "iframe", "object", "embed", "svg", "math", "style", "form", "base", "link", "meta"].includes(tag)) found.push(`<${tag}>`);
    for (const a of el.getAttributeNames()) {
      if (a.startsWith("on")) found.push(`${tag}[${a}]`);
      if (a === "style") found.push(`${tag}[style]`);
      const v = (el.getAttribute(a) ?? "").replace(/\s/g, "").toLowerCase();
      if ((a === "href" || a === "src" || a === "action" || a === "xlink:href") && /^(javascript|vbscript|data:text)/.test(v)) found.push(`${tag}[${a}=${v}]`);
    }
  }
  return found;
}

const ATTACKS: [string, string][] = [
  ["img onerror", `Look: <img src=x onerror="window.__pwned=1">`],
  ["script tag", `<script>window.__pwned=1</script> hello`],
  ["markdown javascript link", `[click me](javascript:window.__pwned=1)`],
  ["html javascript link", `<a href="JaVaScRiPt:window.__pwned=1">x</a>`],
  ["entity-encoded javascript link", `<a href="&#106;avascript:alert(1)">x</a>`],
  ["svg onload", `<svg onload="window.__pwned=1"><circle r="4"/></svg>`],
  ["iframe srcdoc", `<iframe srcdoc="<script>parent.__pwned=1</script>"></iframe>`],
  ["style attribute", `<p style="position:fixed;inset:0;background:red">cover</p>`],
  ["style tag", `<style>body{display:none}</style>text`],
  ["markdown image onerror smuggled in title", `![a](x "\\" onerror=\\"window.__pwned=1")`],
  ["object data", `<object data="javascript:window.__pwned=1"></object>`],
  ["form action", `<form action="javascript:1"><button>go</button></form>`],
  ["details ontoggle", `<details open ontoggle="window.__pwned=1">x</details>`],
  ["data: html link", `<a href="data:text/html,<script>alert(1)</script>">x</a>`],
];

describe("renderMarkdown sanitizes model and tool output", () => {
  for (const [name, input] of ATTACKS) {
    test(name, () => {
      expect(dangers(renderMarkdown(input))).toEqual([]);
      // the second layer alone (DOMPurify on HTML as it comes) holds too
      expect(dangers(sanitizeHtml(input))).toEqual([]);
    });
  }

  test("keeps the Markdown a model writes", () => {
    const html = renderMarkdown("# Title\n\n**bold** and `code`\n\n- a\n- b\n\n```ts\nconst x = 1 < 2;\n```\n\n[docs](https://example.org/a)");
    expect(html).toContain("<h1>Title</h1>");
    expect(html).toContain("<strong>bold</strong>");
    expect(html).toContain("<code>code</code>");
    expect(html).toContain("<li>a</li>");
    expect(html).toContain("const x = 1 &lt; 2;");
    expect(html).toContain('href="https://example.org/a"');
    expect(html).toContain('rel="noopener noreferrer"');
  });

  test("sanitizeHtml on its own removes handlers but keeps the text", () => {
    const out = sanitizeHtml(`<b onclick="x()">hi</b><script>1</script>`);
    expect(out).toBe("<b>hi</b>");
  });
});

describe("MarkdownView puts only sanitized HTML into the DOM", () => {
  test("a reply with <img onerror> and <script> runs nothing and leaves no handler in the page", async () => {
    const w = window as unknown as { __pwned?: number };
    delete w.__pwned;
    const wrapper = mount(MarkdownView, {
      props: { text: `Hi <img src=x onerror="window.__pwned=1"> <script>window.__pwned=2</script> <svg onload="window.__pwned=3"></svg>` },
      attachTo: document.body,
    });
    await new Promise((r) => setTimeout(r, 0));
    expect(w.__pwned).toBeUndefined();
    expect(dangers(wrapper.html())).toEqual([]);
    expect(wrapper.find("img").exists()).toBe(false);
    expect(wrapper.text()).toContain(`<img src=x onerror="window.__pwned=1">`);
    wrapper.unmount();
  });
});

describe("raw HTML in Markdown is text, never parsed", () => {
  test("a model's tags come out escaped, so no HTML parser (and no CSP report) ever sees their handlers", () => {
    const html = renderMarkdown(`before <img src=x onerror="alert(1)"> <b onclick="x()">b</b>\n\n<script>alert(2)</script>\n\nafter`);
    expect(html).toContain(`&lt;img src=x onerror="alert(1)"&gt;`);
    expect(html).toContain("&lt;script&gt;alert(2)&lt;/script&gt;");
    expect(html).not.toMatch(/<(img|script|b)\b/);
  });
});

import { describe, expect, test } from "bun:test";
import { chunkText } from "../../src/channels/telegram/chunk.ts";
import { markdownToTelegramHtml } from "../../src/channels/telegram/format.ts";
import { validateTelegramHtml } from "../fakes/telegram.ts";

describe("markdown → Telegram HTML", () => {
  const cases: [string, string][] = [
    ["**bold** and *it* and _it2_", "<b>bold</b> and <i>it</i> and <i>it2</i>"],
    ["a < b && c > d", "a &lt; b &amp;&amp; c &gt; d"],
    ["use `x<y>` here", "use <code>x&lt;y&gt;</code> here"],
    ["snake_case_name stays", "snake_case_name stays"],
    ["~~gone~~", "<s>gone</s>"],
    ["[site](https://example.com/a?b=1&c=2)", '<a href="https://example.com/a?b=1&amp;c=2">site</a>'],
    ["[bad](javascript:alert(1))", "[bad](javascript:alert(1))"],
    ["# Title", "<b>Title</b>"],
    ["- item\n- two", "• item\n• two"],
    ["> quoted\n> more", "<blockquote>quoted\nmore</blockquote>"],
    ["```ts\nconst a = 1 < 2;\n```", '<pre><code class="language-ts">const a = 1 &lt; 2;</code></pre>'],
    ["```\n**not bold**\n```", "<pre><code>**not bold**</code></pre>"],
    ["2 * 3 * 4", "2 * 3 * 4"],
    // what the regex converter got wrong
    ["**bold _and italic_ inside**", "<b>bold <i>and italic</i> inside</b>"],
    ["***both***", "<i><b>both</b></i>"],
    ["`a*b*c` and `**x**`", "<code>a*b*c</code> and <code>**x**</code>"],
    ["[wiki](https://en.wikipedia.org/wiki/Foo_(bar)) after", '<a href="https://en.wikipedia.org/wiki/Foo_(bar)">wiki</a> after'],
    ["[**bold** link](https://example.com)", '<a href="https://example.com"><b>bold</b> link</a>'],
    ["**not closed and *half", "**not closed and *half"],
    ["<script>alert(1)</script> and <b>raw</b>", "&lt;script&gt;alert(1)&lt;/script&gt; and &lt;b&gt;raw&lt;/b&gt;"],
    ["<div>\nblock html\n</div>", "&lt;div&gt;\nblock html\n&lt;/div&gt;"],
    ["a ||secret|| b", "a <tg-spoiler>secret</tg-spoiler> b"],
    ["1. one\n2. two", "1. one\n2. two"],
    ["- top\n  - nested", "• top\n  • nested"],
    ["\\*not italic\\*", "*not italic*"],
    ["line one  \nline two", "line one\nline two"],
    ["| a | b |\n|---|---|\n| 1 | <2> |", "<pre>| a | b |\n|---|---|\n| 1 | &lt;2&gt; |</pre>"],
  ];
  for (const [md, html] of cases) {
    test(JSON.stringify(md), () => {
      expect(markdownToTelegramHtml(md)).toBe(html);
      expect(validateTelegramHtml(html).ok).toBe(true);
    });
  }
  test("any mix of markers, tags and entities yields HTML Telegram accepts (500 seeded samples)", () => {
    const parts = ["*", "**", "_", "__", "~~", "||", "`", "```", "[", "](", ")", "https://x.io/a_(b)", "<b>", "</i>", "&", "&amp;", "<", ">", "> ", "- ", "1. ", "# ", "\\", "\n", "\n\n", "word", " ", "|", "---"];
    let seed = 42;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let i = 0; i < 500; i++) {
      const md = Array.from({ length: 1 + Math.floor(rand() * 30) }, () => parts[Math.floor(rand() * parts.length)]).join("");
      const r = validateTelegramHtml(markdownToTelegramHtml(md));
      if (!r.ok) throw new Error(`invalid HTML for ${JSON.stringify(md)}: ${r.error}`);
    }
  });
  test("unclosed fence still yields valid HTML", () => {
    expect(validateTelegramHtml(markdownToTelegramHtml("```\ncode <b>")).ok).toBe(true);
  });
});

describe("chunking", () => {
  test("short text is one chunk", () => expect(chunkText("hello", 100)).toEqual(["hello"]));
  test("splits on paragraph boundaries first, each within the limit", () => {
    const paras = Array.from({ length: 30 }, (_, i) => `Paragraph ${i} ` + "word ".repeat(30));
    const chunks = chunkText(paras.join("\n\n"), 500);
    expect(chunks.length).toBeGreaterThan(1);
    for (const c of chunks) {
      expect(c.length).toBeLessThanOrEqual(500);
      expect(c.startsWith("Paragraph")).toBe(true);
    }
    expect(chunks.join("\n\n").replace(/\s+/g, " ")).toBe(paras.join("\n\n").replace(/\s+/g, " ").trim());
  });
  test("hard cut for one long run", () => {
    const chunks = chunkText("x".repeat(1050), 500);
    expect(chunks.map((c) => c.length)).toEqual([492, 492, 66]);
  });
  test("a fence split across chunks is closed and reopened", () => {
    const code = Array.from({ length: 100 }, (_, i) => `line ${i}`).join("\n");
    const chunks = chunkText("intro\n\n```py\n" + code + "\n```\n\nafter", 300);
    expect(chunks.length).toBeGreaterThan(2);
    for (const c of chunks) {
      expect(c.length).toBeLessThanOrEqual(300);
      expect((c.match(/```/g) ?? []).length % 2).toBe(0);
      expect(validateTelegramHtml(markdownToTelegramHtml(c)).ok).toBe(true);
    }
    expect(chunks[1]!.startsWith("```py\n")).toBe(true);
  });
});

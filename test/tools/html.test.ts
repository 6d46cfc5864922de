import { describe, expect, test } from "bun:test";
import { htmlToText } from "../../src/tools/html.ts";

describe("htmlToText", () => {
  test("drops scripts, styles and tags; keeps links, lists and paragraphs", () => {
    const html = `<!doctype html><html><head><title>The &amp; Title</title><style>body{color:red}</style></head>
      <body><script>alert("x")</script><!-- hidden --><h1>Hello&nbsp;world</h1><p>Read <a href="https://example.com/doc">the docs</a> or
      <a href='#top'>top</a>.</p><ul><li>one</li><li>two &lt;b&gt;</li></ul><p>caf&eacute; &#233; &#x1F600; &copy;</p>
      <noscript>enable js</noscript><img alt="logo" src="x.png"></body></html>`;
    const { title, text } = htmlToText(html);
    expect(title).toBe("The & Title");
    expect(text).toBe("Hello world\n\nRead the docs (https://example.com/doc) or\ntop.\n\n- one\n- two <b>\n\ncafé é 😀 ©\n\n[image: logo]");
    expect(text).not.toContain("alert");
    expect(text).not.toContain("color:red");
    expect(text).not.toContain("enable js");
  });

  test("an unclosed script swallows the rest instead of leaking code", () => {
    expect(htmlToText("<p>before</p><script>var secret = 1;").text).toBe("before");
  });

  test("entities: numeric out of range becomes U+FFFD, unknown names stay", () => {
    expect(htmlToText("<p>&#0; &#xD800; &bogus; &lt; &Uuml;ber &ccedil;a &szlig;</p>").text).toBe("\uFFFD \uFFFD &bogus; < Über ça ß");
  });
});

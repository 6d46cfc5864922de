/**
 * Model Markdown → Telegram HTML (parse_mode "HTML"), on marked's lexer (GFM) and our own
 * renderer. Telegram accepts a small tag set (b, i, u, s, code, pre, a, blockquote, tg-spoiler) and
 * needs every other `<`, `>` and `&` escaped, so the renderer emits only those tags and escapes all
 * text, raw HTML in the input included. Headings become bold lines, list items bullets (or their
 * numbers), rules a line, tables a <pre> block, images a link; `||text||` is a spoiler. Links keep
 * only http(s), tg: and mailto: targets; any other link stays as its literal, escaped text. If
 * Telegram still rejects the result ("can't parse entities"), the sender falls back to the plain
 * text (`toPlainText`).
 */
import { Marked, type Token, type Tokens, type TokenizerExtension } from "marked";

export function escapeHtml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

function escapeAttr(text: string): string {
  return escapeHtml(text).replace(/"/g, "&quot;");
}

const SAFE_URL = /^(https?:\/\/|tg:\/\/|mailto:)/i;

const spoiler: TokenizerExtension = {
  name: "spoiler",
  level: "inline",
  start: (src) => src.indexOf("||"),
  tokenizer(src) {
    const m = /^\|\|(?=\S)([\s\S]*?\S)\|\|/.exec(src);
    return m ? { type: "spoiler", raw: m[0], text: m[1]!, tokens: this.lexer.inlineTokens(m[1]!) } : undefined;
  },
};

const parser = new Marked({ gfm: true, breaks: false, extensions: [spoiler] });

function inline(tokens: Token[] | undefined): string {
  return (tokens ?? []).map(inlineToken).join("");
}

function inlineToken(t: Token): string {
  switch (t.type) {
    case "strong":
      return `<b>${inline(t.tokens)}</b>`;
    case "em":
      return `<i>${inline(t.tokens)}</i>`;
    case "del":
      return `<s>${inline(t.tokens)}</s>`;
    case "spoiler":
      return `<tg-spoiler>${inline((t as Tokens.Generic).tokens)}</tg-spoiler>`;
    case "codespan":
      return `<code>${escapeHtml(t.text)}</code>`;
    case "br":
      return "\n";
    case "link":
      return SAFE_URL.test(t.href) ? `<a href="${escapeAttr(t.href)}">${inline(t.tokens)}</a>` : escapeHtml(t.raw);
    case "image":
      return SAFE_URL.test(t.href) ? `<a href="${escapeAttr(t.href)}">${escapeHtml(t.text || t.href)}</a>` : escapeHtml(t.raw);
    case "text":
      return "tokens" in t && t.tokens ? inline(t.tokens) : escapeHtml(t.text);
    case "escape":
      return escapeHtml(t.text);
    default: // html and anything unknown: shown as written
      return escapeHtml(t.raw);
  }
}

function list(t: Tokens.List, depth: number): string {
  const indent = "  ".repeat(depth);
  const start = typeof t.start === "number" ? t.start : 1;
  return t.items
    .map((item, i) => {
      const mark = item.task ? (item.checked ? "☑" : "☐") : t.ordered ? `${start + i}.` : "•";
      const parts = item.tokens.filter((c) => c.type !== "checkbox").map((c) => (c.type === "list" ? `\n${list(c as Tokens.List, depth + 1)}` : block(c)));
      return `${indent}${mark} ${parts.join("").replace(/\n(?!\s*(•|☐|☑|\d+\.))/g, `\n${indent}  `)}`;
    })
    .join("\n");
}

function block(t: Token): string {
  switch (t.type) {
    case "space":
      return "";
    case "paragraph":
      return inline(t.tokens);
    case "text":
      return "tokens" in t && t.tokens ? inline(t.tokens) : escapeHtml(t.text);
    case "heading":
      return `<b>${inline(t.tokens)}</b>`;
    case "code": {
      const lang = t.lang ? /^[\w+#.-]+/.exec(t.lang)?.[0] : undefined;
      return `<pre><code${lang ? ` class="language-${escapeAttr(lang)}"` : ""}>${escapeHtml(t.text)}</code></pre>`;
    }
    case "blockquote":
      return `<blockquote>${blocks(t.tokens ?? [])}</blockquote>`;
    case "list":
      return list(t as Tokens.List, 0);
    case "hr":
      return "──────";
    case "table":
      return `<pre>${escapeHtml(t.raw.trimEnd())}</pre>`;
    default: // html blocks, definitions, anything unknown: shown as written
      return escapeHtml(t.raw.trimEnd());
  }
}

function blocks(tokens: Token[]): string {
  const out: string[] = [];
  for (const t of tokens) {
    const html = block(t);
    if (html) out.push(html);
  }
  return out.join("\n\n");
}

export function markdownToTelegramHtml(markdown: string): string {
  return blocks(parser.lexer(markdown.replace(/\r\n?/g, "\n")));
}

/** What the user sees if HTML is refused: the model's text as written, which reads fine as plain text. */
export function toPlainText(markdown: string): string {
  return markdown;
}

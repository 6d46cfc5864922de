/**
 * Model Markdown → Telegram HTML (parse_mode "HTML"). Telegram accepts a small tag set
 * (b, i, u, s, code, pre, a, blockquote, tg-spoiler) and needs every other `<`, `>` and `&`
 * escaped. Code spans and fences are cut out first so nothing inside them is interpreted. Anything
 * this converter does not understand stays as literal, escaped text; if Telegram still rejects the
 * result ("can't parse entities"), the sender falls back to the plain text (`toPlainText`).
 */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

function escapeAttr(text: string): string {
  return escapeHtml(text).replace(/"/g, "&quot;");
}

const SAFE_URL = /^(https?:\/\/|tg:\/\/|mailto:)/i;

/** Inline formatting on a line that holds no code (already split out). */
function inline(text: string, stash: string[]): string {
  const keep = (html: string) => `\u0000${stash.push(html) - 1}\u0000`;
  // links first, on raw text, so their URLs are not touched by emphasis rules
  let s = text.replace(/\[([^\]\n]+)\]\(([^)\s]+)\)/g, (m, label: string, url: string) =>
    SAFE_URL.test(url) ? keep(`<a href="${escapeAttr(url)}">${inlineEmphasis(escapeHtml(label))}</a>`) : m,
  );
  s = escapeHtml(s);
  return inlineEmphasis(s);
}

function inlineEmphasis(s: string): string {
  return s
    .replace(/\*\*(?=\S)([^*\n]+?)(?<=\S)\*\*/g, "<b>$1</b>")
    .replace(/(^|[^\w])__(?=\S)([^_\n]+?)(?<=\S)__(?!\w)/g, "$1<b>$2</b>")
    .replace(/~~(?=\S)([^~\n]+?)(?<=\S)~~/g, "<s>$1</s>")
    .replace(/\|\|(?=\S)([^|\n]+?)(?<=\S)\|\|/g, "<tg-spoiler>$1</tg-spoiler>")
    .replace(/(^|[^\w*])\*(?=[^\s*])([^*\n]+?)(?<=[^\s*])\*(?![\w*])/g, "$1<i>$2</i>")
    .replace(/(^|[^\w])_(?=[^\s_])([^_\n]+?)(?<=[^\s_])_(?!\w)/g, "$1<i>$2</i>");
}

function line(raw: string, stash: string[]): string {
  const keep = (html: string) => `\u0000${stash.push(html) - 1}\u0000`;
  // inline code: protect before anything else
  const withCode = raw.replace(/`([^`\n]+)`/g, (_m, code: string) => keep(`<code>${escapeHtml(code)}</code>`));
  const heading = /^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$/.exec(withCode);
  if (heading) return `<b>${inline(heading[1]!, stash)}</b>`;
  const bullet = /^(\s*)[-*+]\s+(.*)$/.exec(withCode);
  if (bullet) return `${bullet[1]}• ${inline(bullet[2]!, stash)}`;
  if (/^\s{0,3}([-*_])(\s*\1){2,}\s*$/.test(withCode)) return "──────";
  return inline(withCode, stash);
}

export function markdownToTelegramHtml(markdown: string): string {
  const stash: string[] = [];
  const out: string[] = [];
  const lines = markdown.replace(/\r\n?/g, "\n").split("\n");
  let quote: string[] = [];
  const flushQuote = () => {
    if (quote.length) out.push(`<blockquote>${quote.join("\n")}</blockquote>`);
    quote = [];
  };
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!;
    const fence = /^\s*(```+|~~~+)\s*([\w+#.-]*)\s*$/.exec(l);
    if (fence) {
      flushQuote();
      const body: string[] = [];
      let j = i + 1;
      while (j < lines.length && !lines[j]!.trim().startsWith(fence[1]!)) body.push(lines[j++]!);
      const lang = fence[2] ? ` class="language-${escapeAttr(fence[2])}"` : "";
      out.push(`<pre><code${lang}>${escapeHtml(body.join("\n"))}</code></pre>`);
      i = j; // skip the closing fence (or run to the end when it is missing)
      continue;
    }
    const q = /^\s{0,3}>\s?(.*)$/.exec(l);
    if (q) {
      quote.push(line(q[1]!, stash));
      continue;
    }
    flushQuote();
    out.push(line(l, stash));
  }
  flushQuote();
  return out.join("\n").replace(/\u0000(\d+)\u0000/g, (_m, n: string) => stash[Number(n)]!);
}

/** What the user sees if HTML is refused: the model's text as written, which reads fine as plain text. */
export function toPlainText(markdown: string): string {
  return markdown;
}

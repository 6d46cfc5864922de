/**
 * HTML → readable text for web_fetch: scripts, styles and other non-content elements removed,
 * block elements become line breaks, links kept as `text (url)`, entities decoded, whitespace
 * collapsed. Regex-based and linear on its input (which web_fetch caps); not a full HTML parser.
 */

const NAMED: Record<string, string> = {
  amp: "&", lt: "<", gt: ">", quot: '"', apos: "'", nbsp: " ", copy: "©", reg: "®", trade: "™",
  mdash: "—", ndash: "–", hellip: "…", laquo: "«", raquo: "»", lsquo: "‘", rsquo: "’", ldquo: "“",
  rdquo: "”", bull: "•", middot: "·", euro: "€", pound: "£", yen: "¥", cent: "¢", sect: "§", deg: "°",
  plusmn: "±", times: "×", divide: "÷", para: "¶", shy: "", zwj: "", zwnj: "", larr: "←", rarr: "→",
  uarr: "↑", darr: "↓", hearts: "♥", check: "✓", frac12: "½", frac14: "¼", frac34: "¾",
  szlig: "ß", aelig: "æ", AElig: "Æ", oslash: "ø", Oslash: "Ø", iexcl: "¡", iquest: "¿",
};

// &eacute; &Uuml; … as base letter + combining mark, composed.
const MARKS: Record<string, string> = { acute: "\u0301", grave: "\u0300", circ: "\u0302", uml: "\u0308", tilde: "\u0303", ring: "\u030a", cedil: "\u0327" };

export function decodeEntities(s: string): string {
  return s.replace(/&(#\d{1,7}|#x[0-9a-f]{1,6}|[a-z][a-z0-9]{1,31});?/gi, (m, body: string) => {
    if (body[0] === "#") {
      const code = body[1] === "x" || body[1] === "X" ? parseInt(body.slice(2), 16) : parseInt(body.slice(1), 10);
      if (!Number.isFinite(code) || code <= 0 || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return "\uFFFD";
      return String.fromCodePoint(code);
    }
    const accented = /^([a-zA-Z])(acute|grave|circ|uml|tilde|ring|cedil)$/.exec(body);
    if (accented) return (accented[1]! + MARKS[accented[2]!]).normalize("NFC");
    return NAMED[body] ?? NAMED[body.toLowerCase()] ?? m;
  });
}

const DROP = /<(script|style|noscript|template|svg|iframe|object|canvas|head)\b[^>]*>[\s\S]*?<\/\1\s*>/gi;
const BLOCK = /<\/?(p|div|section|article|header|footer|main|nav|aside|h[1-6]|ul|ol|table|tr|blockquote|pre|form|fieldset|figure|figcaption|dl|dt|dd|hr)\b[^>]*>/gi;

export function htmlToText(html: string): { title?: string; text: string } {
  const titleMatch = /<title\b[^>]*>([\s\S]*?)<\/title\s*>/i.exec(html);
  const title = titleMatch ? decodeEntities(titleMatch[1]!.replace(/<[^>]*>/g, "")).replace(/\s+/g, " ").trim() : undefined;
  let s = html
    .replace(/<!--[\s\S]*?-->/g, "")
    .replace(/<!\[CDATA\[[\s\S]*?\]\]>/g, "")
    .replace(DROP, " ")
    .replace(/<(script|style)\b[\s\S]*$/i, " ") // an unclosed script/style eats the rest
    .replace(/<a\b[^>]*?\bhref\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))[^>]*>([\s\S]*?)<\/a\s*>/gi, (_m, d, q, u, inner: string) => {
      const href = decodeEntities(String(d ?? q ?? u ?? "")).trim();
      const text = inner.replace(/<[^>]*>/g, "").trim();
      if (!href || href.startsWith("#") || /^javascript:/i.test(href)) return text;
      return text && decodeEntities(text) !== href ? `${text} (${href})` : href;
    })
    .replace(/<img\b[^>]*?\balt\s*=\s*(?:"([^"]*)"|'([^']*)')[^>]*>/gi, (_m, d, q) => (d ?? q ? `[image: ${d ?? q}]` : ""))
    .replace(/<li\b[^>]*>/gi, "\n- ")
    .replace(/<br\s*\/?>/gi, "\n")
    .replace(/<\/(td|th)\s*>/gi, "\t")
    .replace(BLOCK, "\n")
    .replace(/<[^>]*>/g, "");
  s = decodeEntities(s)
    .replace(/[\u00a0\t ]+/g, " ")
    .replace(/ *\n */g, "\n")
    .replace(/\n{3,}/g, "\n\n")
    .trim();
  return { ...(title ? { title } : {}), text: s };
}

/**
 * Split a long reply into messages of at most `limit` characters, preferring paragraph breaks,
 * then line breaks, then spaces; a hard cut only for a single unbroken run. A fenced code block cut
 * in two is closed at the end of one chunk and reopened (same language) at the start of the next,
 * so each chunk renders on its own.
 */
const FENCE = /^\s*(```+|~~~+)\s*([\w+#.-]*)\s*$/;

function cutPoint(text: string, limit: number): number {
  const window = text.slice(0, limit + 1);
  const min = Math.floor(limit * 0.3);
  for (const sep of ["\n\n", "\n", " "]) {
    const at = window.lastIndexOf(sep, limit - (sep === " " ? 0 : sep.length - 1));
    if (at >= min) return at;
  }
  // never split a surrogate pair
  const code = text.charCodeAt(limit - 1);
  return code >= 0xd800 && code <= 0xdbff ? limit - 1 : limit;
}

/** The fence still open at the end of `text`, if any. */
function openFence(text: string): { marker: string; lang: string } | null {
  let open: { marker: string; lang: string } | null = null;
  for (const l of text.split("\n")) {
    const m = FENCE.exec(l);
    if (!m) continue;
    if (open && l.trim().startsWith(open.marker)) open = null;
    else if (!open) open = { marker: m[1]!, lang: m[2] ?? "" };
  }
  return open;
}

export function chunkText(text: string, limit = 4000): string[] {
  if (limit < 20) throw new RangeError("chunk limit too small");
  const chunks: string[] = [];
  let rest = text.trim();
  while (rest.length > limit) {
    // leave room to close (and later reopen) a fence
    const budget = limit - 8;
    const at = cutPoint(rest, budget);
    let head = rest.slice(0, at).trimEnd();
    let tail = rest.slice(at).replace(/^\n+/, "").replace(/^ /, "");
    const fence = openFence(head);
    if (fence) {
      head += `\n${fence.marker}`;
      tail = `${fence.marker}${fence.lang}\n${tail}`;
    }
    if (head.trim()) chunks.push(head);
    rest = tail;
  }
  if (rest.trim()) chunks.push(rest);
  return chunks;
}

/**
 * A minimal Server-Sent Events reader over a fetch body: yields one `{ event, data }` per event
 * (multi-line data joined with "\n"; comments and other fields skipped). Ends when the body ends,
 * dropping an event left unterminated at EOF;
 * read errors (a reset socket) propagate to the caller.
 */
export interface SseMessage {
  event: string | undefined;
  data: string;
}

export async function* readSse(body: ReadableStream<Uint8Array>, onChunk?: () => void): AsyncGenerator<SseMessage> {
  const decoder = new TextDecoder();
  let buffer = "";
  let event: string | undefined;
  let data: string[] = [];
  const take = (line: string): SseMessage | undefined => {
    if (line === "") {
      if (data.length === 0 && event === undefined) return undefined;
      const msg = { event, data: data.join("\n") };
      event = undefined;
      data = [];
      return msg;
    }
    if (line.startsWith(":")) return undefined;
    const colon = line.indexOf(":");
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (field === "data") data.push(value);
    else if (field === "event") event = value;
    return undefined;
  };
  const reader = body.getReader();
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      onChunk?.();
      buffer += decoder.decode(value, { stream: true });
      let nl: number;
      while ((nl = buffer.search(/\r\n|\n|\r/)) !== -1) {
        if (nl === buffer.length - 1 && buffer.endsWith("\r")) break; // maybe half of a \r\n
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + (buffer.startsWith("\r\n", nl) ? 2 : 1));
        const msg = take(line);
        if (msg) yield msg;
      }
    }
    // an event not closed by a blank line before EOF is incomplete and dropped (as the SSE spec says)
  } finally {
    reader.releaseLock();
  }
}

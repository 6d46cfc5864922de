/**
 * Inbound media. Photos reach the model as image blocks (largest size under the cap, fetched with
 * getFile and a download from the file endpoint); text documents under a cap are inlined as text;
 * image documents become images; anything else gets a clear "not supported yet" answer.
 * The download URL holds the bot token: it is built here, used once, and never logged.
 * A download has a time limit (`timeoutMs`, the whole transfer, body included) and a size cap
 * (core/body.ts readCapped), so a hanging or endless file endpoint cannot block its chat.
 */
import type { Api } from "grammy";
import type { Message } from "grammy/types";
import { readCapped } from "../../core/body.ts";
import { errorMessage, OpenClawError, PayloadTooLargeError } from "../../core/errors.ts";
import { redact, type ApiKey } from "../../core/secrets.ts";
import type { ImageBlock } from "../../core/messages.ts";

export const TEXT_DOC_MAX_BYTES = 256 * 1024;
const TEXT_EXT = /\.(txt|md|markdown|csv|tsv|json|jsonl|ya?ml|toml|ini|log|xml|html?|css|js|mjs|ts|tsx|jsx|py|rb|go|rs|java|kt|c|h|cpp|hpp|cs|sh|bash|zsh|sql|env\.example|conf)$/i;
const IMAGE_TYPES: Record<string, ImageBlock["mediaType"]> = { jpg: "image/jpeg", jpeg: "image/jpeg", png: "image/png", gif: "image/gif", webp: "image/webp" };

export class MediaError extends OpenClawError {
  static override readonly type: string = "MediaError";
}

export const MEDIA_TIMEOUT_MS = 60_000;

export type MediaInput =
  | { kind: "none" }
  | { kind: "image"; image: ImageBlock; caption: string }
  | { kind: "text"; text: string }
  | { kind: "unsupported"; what: string }
  | { kind: "too_large"; what: string; maxBytes: number };

export interface MediaDeps {
  api: Api;
  token: ApiKey;
  apiRoot: string;
  maxBytes: number;
  /** one download's time limit, getFile and the transfer included (default 60 s) */
  timeoutMs?: number;
  fetch?: typeof fetch;
}

function isTextDoc(name: string, mime: string): boolean {
  return mime.startsWith("text/") || /(json|xml|yaml|toml|javascript|typescript|x-sh|csv)/.test(mime) || TEXT_EXT.test(name);
}

function imageTypeOf(path: string, mime?: string): ImageBlock["mediaType"] | undefined {
  if (mime && Object.values(IMAGE_TYPES).includes(mime as ImageBlock["mediaType"])) return mime as ImageBlock["mediaType"];
  return IMAGE_TYPES[path.split(".").pop()?.toLowerCase() ?? ""];
}

/** Download a file by id, refusing anything over `maxBytes` (checked before and while reading) or slower than `timeoutMs`. */
export async function download(d: MediaDeps, fileId: string, maxBytes: number): Promise<{ bytes: Uint8Array; path: string }> {
  const timeoutMs = d.timeoutMs ?? MEDIA_TIMEOUT_MS;
  const signal = AbortSignal.timeout(timeoutMs);
  try {
    const file = await d.api.getFile(fileId, signal as never);
    if (!file.file_path) throw new MediaError("Telegram gave no file path");
    if (file.file_size !== undefined && file.file_size > maxBytes) throw new MediaError("too large");
    const url = `${d.apiRoot.replace(/\/$/, "")}/file/bot${d.token.reveal()}/${file.file_path}`;
    const res = await (d.fetch ?? fetch)(url, { signal });
    if (!res.ok || !res.body) throw new MediaError(`download failed with HTTP ${res.status}`);
    const { bytes } = await readCapped(res.body, maxBytes);
    return { bytes, path: file.file_path };
  } catch (err) {
    if (err instanceof MediaError) throw err;
    if (err instanceof PayloadTooLargeError) throw new MediaError("too large");
    if (signal.aborted) throw new MediaError(`download timed out after ${timeoutMs} ms`);
    throw new MediaError(`download failed: ${redact(errorMessage(err))}`); // a fetch error may quote the URL (token)
  }
}

export async function readMedia(d: MediaDeps, msg: Message): Promise<MediaInput> {
  const caption = msg.caption ?? "";
  if (msg.photo?.length) {
    const fits = msg.photo.filter((p) => (p.file_size ?? 0) <= d.maxBytes);
    const best = fits.at(-1);
    if (!best) return { kind: "too_large", what: "photo", maxBytes: d.maxBytes };
    const { bytes, path } = await download(d, best.file_id, d.maxBytes);
    const mediaType = imageTypeOf(path) ?? "image/jpeg";
    return { kind: "image", image: { type: "image", mediaType, data: Buffer.from(bytes).toString("base64") }, caption };
  }
  if (msg.document) {
    const doc = msg.document;
    const name = doc.file_name ?? "file";
    const mime = doc.mime_type ?? "";
    const image = imageTypeOf(name, mime);
    if (image) {
      if ((doc.file_size ?? 0) > d.maxBytes) return { kind: "too_large", what: "image", maxBytes: d.maxBytes };
      const { bytes } = await download(d, doc.file_id, d.maxBytes);
      return { kind: "image", image: { type: "image", mediaType: image, data: Buffer.from(bytes).toString("base64") }, caption };
    }
    if (!isTextDoc(name, mime)) return { kind: "unsupported", what: `${mime || "this kind of"} file` };
    const cap = Math.min(TEXT_DOC_MAX_BYTES, d.maxBytes);
    if ((doc.file_size ?? 0) > cap) return { kind: "too_large", what: "text file", maxBytes: cap };
    const { bytes } = await download(d, doc.file_id, cap);
    const body = new TextDecoder("utf-8", { fatal: false }).decode(bytes);
    const text = `${caption ? `${caption}\n\n` : ""}[file: ${name}]\n\`\`\`\n${body}\n\`\`\``;
    return { kind: "text", text };
  }
  const other: [keyof Message, string][] = [
    ["voice", "voice messages"], ["audio", "audio files"], ["video", "videos"], ["video_note", "video notes"],
    ["sticker", "stickers"], ["animation", "GIFs"], ["location", "locations"], ["venue", "venues"], ["contact", "contacts"],
    ["poll", "polls"], ["dice", "dice"],
  ];
  for (const [key, what] of other) if (msg[key] !== undefined) return { kind: "unsupported", what };
  return { kind: "none" };
}

export function unsupportedText(m: MediaInput): string {
  if (m.kind === "too_large") return `That ${m.what} is too large for me (limit ${Math.round(m.maxBytes / 1024)} KB).`;
  if (m.kind === "unsupported") return `Sorry, I can't handle ${m.what} yet. Please send text, a photo, or a text file.`;
  return "";
}

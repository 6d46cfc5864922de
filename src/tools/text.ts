/** Small text helpers shared by the file tools. */

const decoder = new TextDecoder("utf-8", { fatal: false });

/** Text or not: a NUL byte, or mostly control bytes, in the first 8 KiB means binary. */
export function looksBinary(bytes: Uint8Array): boolean {
  const n = Math.min(bytes.length, 8192);
  let control = 0;
  for (let i = 0; i < n; i++) {
    const b = bytes[i]!;
    if (b === 0) return true;
    if (b < 9 || (b > 13 && b < 32)) control++;
  }
  return n > 0 && control / n > 0.3;
}

/** UTF-8 (invalid bytes → U+FFFD), a leading BOM dropped. */
export function decodeText(bytes: Uint8Array): string {
  const s = decoder.decode(bytes);
  return s.charCodeAt(0) === 0xfeff ? s.slice(1) : s;
}

export function splitLines(text: string): string[] {
  const lines = text.split(/\r?\n/);
  if (lines.length > 1 && lines[lines.length - 1] === "") lines.pop();
  return lines;
}

export function clip(line: string, max: number): string {
  return line.length <= max ? line : `${line.slice(0, max)}… [line truncated: ${line.length - max} more characters]`;
}

export const IMAGE_TYPES = [
  { mediaType: "image/png", magic: [0x89, 0x50, 0x4e, 0x47] },
  { mediaType: "image/jpeg", magic: [0xff, 0xd8, 0xff] },
  { mediaType: "image/gif", magic: [0x47, 0x49, 0x46, 0x38] },
] as const;

export function imageType(bytes: Uint8Array): "image/png" | "image/jpeg" | "image/gif" | "image/webp" | undefined {
  for (const t of IMAGE_TYPES) if (t.magic.every((b, i) => bytes[i] === b)) return t.mediaType;
  const riff = String.fromCharCode(...bytes.subarray(0, 4));
  const webp = String.fromCharCode(...bytes.subarray(8, 12));
  return riff === "RIFF" && webp === "WEBP" ? "image/webp" : undefined;
}

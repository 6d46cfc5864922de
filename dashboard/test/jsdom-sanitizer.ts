// The sanitizer bound to a jsdom window: DOMPurify's own test DOM. happy-dom's NodeIterator stops
// when the node it stands on is removed, so DOMPurify under happy-dom leaves the rest unsanitized
// (seen: `<img onerror><script>` kept the <script>); browsers and jsdom iterate correctly.
import { JSDOM } from "jsdom";
import type { WindowLike } from "dompurify";
import { createSanitizer, usePageSanitizer } from "../src/lib/markdown.ts";

export const jsdomWindow = new JSDOM("<!doctype html><html><body></body></html>").window;
export const jsdomSanitizer = createSanitizer(jsdomWindow as unknown as WindowLike);
usePageSanitizer(jsdomSanitizer);

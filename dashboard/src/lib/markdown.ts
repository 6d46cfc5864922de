/**
 * Model and tool output → safe HTML, in two layers:
 *  1. marked renders the Markdown with raw HTML **escaped**: a model's `<img onerror=…>` or
 *     `<script>` is shown as text and never reaches an HTML parser. (Parsing it at all, even in
 *     DOMPurify's inert document, makes Chromium report a `script-src-attr` CSP violation.)
 *  2. DOMPurify then cleans marked's own output: no event handler attributes, <script>, <iframe>,
 *     <object>, SVG/MathML, `javascript:`/`data:` links, `style` attributes or <style>.
 * The only v-html in the app is of this module's output.
 */
import createDOMPurify, { type WindowLike } from "dompurify";
import { Marked } from "marked";

const ESC: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };
export const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => ESC[c]!);

const marked = new Marked({ gfm: true, breaks: true, async: false, renderer: { html: ({ text }) => escapeHtml(text) } });

const CONFIG = {
  USE_PROFILES: { html: true },
  FORBID_TAGS: ["style", "form", "input", "button", "textarea", "select", "option", "iframe", "frame", "object", "embed", "base", "link", "meta"],
  FORBID_ATTR: ["style", "srcset", "action", "formaction", "xlink:href"],
  ALLOW_DATA_ATTR: false,
};

export interface Sanitizer {
  sanitizeHtml(html: string): string;
  renderMarkdown(text: string): string;
}

/** A sanitizer bound to a window (the page's; tests pass a jsdom window). */
export function createSanitizer(win: WindowLike): Sanitizer {
  const purify = createDOMPurify(win);
  purify.addHook("afterSanitizeAttributes", (node) => {
    if (node.tagName === "A" && node.hasAttribute("href")) {
      node.setAttribute("target", "_blank");
      node.setAttribute("rel", "noopener noreferrer");
    }
  });
  const sanitizeHtml = (html: string) => purify.sanitize(html, CONFIG) as string;
  return { sanitizeHtml, renderMarkdown: (text) => sanitizeHtml(marked.parse(text) as string) };
}

let page: Sanitizer | null = null;
/** The page's sanitizer (created on first use). */
export function pageSanitizer(): Sanitizer {
  return (page ??= createSanitizer(window as unknown as WindowLike));
}

/** Replace the page's sanitizer (tests: happy-dom cannot run DOMPurify faithfully, jsdom can). */
export function usePageSanitizer(s: Sanitizer): void {
  page = s;
}

export const renderMarkdown = (text: string): string => pageSanitizer().renderMarkdown(text);
export const sanitizeHtml = (html: string): string => pageSanitizer().sanitizeHtml(html);

/**
 * The one address the page connects to: its own origin's /ws. Never a URL from the query or the
 * fragment (OpenClaw's Control UI took a gateway URL from a parameter: CVE-2026-25253).
 */
export function wsUrl(loc: Pick<Location, "protocol" | "host"> = location): string {
  return `${loc.protocol === "https:" ? "wss:" : "ws:"}//${loc.host}/ws`;
}

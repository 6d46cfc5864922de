/**
 * The egress allowlist policy (`tools.exec.network.allow`): which host names and ports a sandboxed
 * command may reach through the egress proxy. Pure; table-tested.
 *
 * An entry is a host name (`api.github.com`), a wildcard for its subdomains (`*.github.com`: any
 * depth, but not `github.com` itself), each with an optional port (`registry.example.org:8443`).
 * Without a port an entry allows 80 and 443 only. IP literals, `*` alone, URLs and paths are
 * refused with a message that names the entry and the fix: the proxy decides on names, and then
 * refuses private addresses after resolving them.
 */
import { isIP } from "node:net";

export interface EgressRule {
  /** lower case, no trailing dot; for a wildcard the suffix after `*.` */
  host: string;
  wildcard: boolean;
  /** null: ports 80 and 443 */
  port: number | null;
}

export const EGRESS_KEY = "tools.exec.network.allow";
export const DEFAULT_PORTS: readonly number[] = [80, 443];

const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

/** A host name as the proxy compares it (lower case, no trailing dot), or null when it is not a DNS name. */
export function normalizeHost(raw: string): string | null {
  const host = raw.trim().toLowerCase().replace(/\.$/, "");
  if (host.length === 0 || host.length > 253 || isIP(host) !== 0) return null;
  const labels = host.split(".");
  if (!labels.every((l) => LABEL.test(l))) return null;
  // an all-numeric last label is an IPv4 shorthand (`127.1`, `0x7f.1`), not a name
  if (/^(0x[0-9a-f]*|[0-9]+)$/.test(labels[labels.length - 1]!)) return null;
  return host;
}

/** Parses one entry; returns the rule, or the reason it is refused (to follow "entry N: "). */
export function parseEgressRule(entry: string): EgressRule | { error: string } {
  const raw = entry.trim();
  const fix = 'write a host name such as "api.github.com", "*.githubusercontent.com" or "registry.example.com:8443"';
  if (raw === "*" || raw.startsWith("*:")) {
    return { error: `"${entry}" would allow every host; set agents.defaults.sandbox.networkAccess: true without ${EGRESS_KEY} for an unfiltered network, or ${fix}` };
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(raw) || raw.includes("/")) return { error: `"${entry}" is a URL or path; list the host only: ${fix}` };
  let hostPart = raw;
  let port: number | null = null;
  const m = /^(.*):(\d{1,5})$/.exec(raw);
  if (m && !m[1]!.includes(":")) {
    hostPart = m[1]!;
    port = Number(m[2]);
    if (port < 1 || port > 65535) return { error: `"${entry}" has port ${m[2]}, outside 1-65535` };
  }
  if (raw.startsWith("[") || isIP(hostPart) !== 0 || isIP(raw) !== 0) {
    return { error: `"${entry}" is an IP address; the proxy allows host names only (and refuses IP literals), so ${fix}` };
  }
  const wildcard = hostPart.startsWith("*.");
  const host = normalizeHost(wildcard ? hostPart.slice(2) : hostPart);
  if (!host) return { error: `"${entry}" is not a valid host name; ${fix}` };
  if (wildcard && !host.includes(".")) return { error: `"${entry}" would allow a whole top-level domain; name a registered domain such as "*.example.com"` };
  return { host, wildcard, port };
}

/** Parses every entry; throws nothing: errors come back with the index of their entry. */
export function parseEgressAllow(entries: readonly string[]): { rules: EgressRule[]; errors: { index: number; error: string }[] } {
  const rules: EgressRule[] = [];
  const errors: { index: number; error: string }[] = [];
  entries.forEach((e, index) => {
    const r = parseEgressRule(e);
    if ("error" in r) errors.push({ index, error: r.error });
    else rules.push(r);
  });
  return { rules, errors };
}

/** The entry as written back in config form (normalised). */
export function formatEgressRule(r: EgressRule): string {
  return `${r.wildcard ? "*." : ""}${r.host}${r.port === null ? "" : `:${r.port}`}`;
}

/** Whether a normalised `host` and `port` is allowed by any rule. */
export function egressAllows(rules: readonly EgressRule[], host: string, port: number): boolean {
  return rules.some((r) => {
    const portOk = r.port === null ? DEFAULT_PORTS.includes(port) : r.port === port;
    if (!portOk) return false;
    return r.wildcard ? host.endsWith(`.${r.host}`) : host === r.host;
  });
}

/**
 * Address policy for web_fetch: which IP addresses count as private (refused unless
 * `tools.web.fetch.allowPrivateNetwork`). Pure; table-tested.
 */
import { isIP } from "node:net";

/** [first address, prefix length, label] */
const V4_BLOCKS: [string, number, string][] = [
  ["0.0.0.0", 8, "this-network"],
  ["10.0.0.0", 8, "private"],
  ["100.64.0.0", 10, "carrier-grade NAT"],
  ["127.0.0.0", 8, "loopback"],
  ["169.254.0.0", 16, "link-local / cloud metadata"],
  ["172.16.0.0", 12, "private"],
  ["192.0.0.0", 24, "IETF protocol assignments"],
  ["192.0.2.0", 24, "documentation"],
  ["192.88.99.0", 24, "6to4 relay"],
  ["192.168.0.0", 16, "private"],
  ["198.18.0.0", 15, "benchmarking"],
  ["198.51.100.0", 24, "documentation"],
  ["203.0.113.0", 24, "documentation"],
  ["224.0.0.0", 4, "multicast"],
  ["240.0.0.0", 4, "reserved / broadcast"],
];

function v4ToInt(ip: string): number {
  return ip.split(".").reduce((n, part) => n * 256 + Number(part), 0);
}

function v4Blocked(ip: string): string | undefined {
  const n = v4ToInt(ip);
  for (const [base, bits, label] of V4_BLOCKS) {
    const size = 2 ** (32 - bits);
    const start = v4ToInt(base);
    if (n >= start && n < start + size) return label;
  }
  return undefined;
}

/** The 16 bytes of an IPv6 address (embedded IPv4 tail and `::` handled), or undefined. */
export function v6Bytes(ip: string): number[] | undefined {
  let s = ip.split("%")[0]!.toLowerCase();
  const tail: number[] = [];
  const lastColon = s.lastIndexOf(":");
  if (s.slice(lastColon + 1).includes(".")) {
    const v4 = s.slice(lastColon + 1);
    if (isIP(v4) !== 4) return undefined;
    const n = v4ToInt(v4);
    tail.push((n >>> 16) & 0xffff, n & 0xffff);
    s = s.slice(0, lastColon + 1) + "0:0";
  }
  const halves = s.split("::");
  if (halves.length > 2) return undefined;
  const parse = (h: string) => (h === "" ? [] : h.split(":").map((g) => parseInt(g, 16)));
  const left = parse(halves[0]!);
  const right = halves.length === 2 ? parse(halves[1]!) : [];
  const fill = 8 - left.length - right.length;
  if (fill < 0 || (halves.length === 1 && fill !== 0)) return undefined;
  const groups = [...left, ...new Array<number>(fill).fill(0), ...right];
  if (tail.length) groups.splice(6, 2, ...tail);
  if (groups.some((g) => !Number.isInteger(g) || g < 0 || g > 0xffff)) return undefined;
  return groups.flatMap((g) => [g >> 8, g & 0xff]);
}

function v6Blocked(ip: string): string | undefined {
  const b = v6Bytes(ip);
  if (!b) return "unparseable IPv6";
  const zeroUpTo = (n: number) => b.slice(0, n).every((x) => x === 0);
  if (zeroUpTo(15) && b[15] === 0) return "unspecified";
  if (zeroUpTo(15) && b[15] === 1) return "loopback";
  // IPv4-mapped ::ffff:a.b.c.d, IPv4-compatible ::a.b.c.d, NAT64 64:ff9b::/96: judge the IPv4 inside
  const v4 = `${b[12]}.${b[13]}.${b[14]}.${b[15]}`;
  if (zeroUpTo(10) && b[10] === 0xff && b[11] === 0xff) return v4Blocked(v4) ?? undefined;
  if (zeroUpTo(12)) return v4Blocked(v4) ?? "IPv4-compatible";
  if (b[0] === 0x00 && b[1] === 0x64 && b[2] === 0xff && b[3] === 0x9b && b.slice(4, 12).every((x) => x === 0)) return v4Blocked(v4);
  if ((b[0]! & 0xfe) === 0xfc) return "unique local (ULA)";
  if (b[0] === 0xfe && (b[1]! & 0xc0) === 0x80) return "link-local";
  if (b[0] === 0xfe && (b[1]! & 0xc0) === 0xc0) return "site-local";
  if (b[0] === 0xff) return "multicast";
  if (b[0] === 0x20 && b[1] === 0x01 && b[2] === 0x0d && b[3] === 0xb8) return "documentation";
  if (b[0] === 0x20 && b[1] === 0x02) return v4Blocked(`${b[2]}.${b[3]}.${b[4]}.${b[5]}`); // 6to4 embeds an IPv4
  if (b[0] === 0x01 && b.slice(1, 8).every((x) => x === 0)) return "discard-only";
  return undefined;
}

/** Why `ip` is not a public address (loopback, private, link-local, …), or undefined when it is public. */
export function privateAddressReason(ip: string): string | undefined {
  const kind = isIP(ip.split("%")[0]!);
  if (kind === 4) return v4Blocked(ip);
  if (kind === 6) return v6Blocked(ip);
  return "not an IP address";
}

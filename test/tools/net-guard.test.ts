import { describe, expect, test } from "bun:test";
import { privateAddressReason, v6Bytes } from "../../src/tools/net-guard.ts";

describe("privateAddressReason", () => {
  const blocked = [
    "127.0.0.1", "127.255.255.254", "10.1.2.3", "172.16.0.1", "172.31.255.255", "192.168.1.1", "169.254.169.254",
    "100.64.0.1", "100.127.255.255", "0.0.0.0", "224.0.0.1", "239.255.255.250", "255.255.255.255", "198.18.0.1",
    "::1", "::", "fe80::1", "fc00::1", "fd00:ec2::254", "ff02::1", "::ffff:127.0.0.1", "::ffff:7f00:1",
    "::ffff:169.254.169.254", "64:ff9b::a9fe:a9fe", "2001:db8::1", "fe80::1%eth0", "2002:c0a8:0101::1", "::127.0.0.1",
  ];
  for (const ip of blocked) test(`${ip} is refused`, () => expect(privateAddressReason(ip)).toBeString());

  const open = ["8.8.8.8", "1.1.1.1", "172.32.0.1", "100.128.0.1", "192.169.0.1", "2606:4700:4700::1111", "2a00:1450:4001::200e", "::ffff:8.8.8.8"];
  for (const ip of open) test(`${ip} is public`, () => expect(privateAddressReason(ip)).toBeUndefined());

  test("labels say why", () => {
    expect(privateAddressReason("127.0.0.1")).toBe("loopback");
    expect(privateAddressReason("169.254.169.254")).toBe("link-local / cloud metadata");
    expect(privateAddressReason("100.64.1.1")).toBe("carrier-grade NAT");
    expect(privateAddressReason("fd12::1")).toBe("unique local (ULA)");
    expect(privateAddressReason("not-an-ip")).toBe("not an IP address");
  });

  test("v6Bytes expands :: and an IPv4 tail", () => {
    expect(v6Bytes("::ffff:1.2.3.4")).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 255, 255, 1, 2, 3, 4]);
    expect(v6Bytes("1::")?.slice(0, 2)).toEqual([0, 1]);
    expect(v6Bytes("1:2:3")).toBeUndefined();
  });
});

import { describe, expect, test } from "bun:test";
import { PathEscapeError } from "../../src/sandbox/executor.ts";
import { checkReal, displayPath, findRoot, isInside, normalizeRequest, type PathPolicy } from "../../src/sandbox/paths.ts";

const policy: PathPolicy = {
  root: "/srv/ws",
  roots: [
    { given: "/srv/ws", real: "/srv/ws" },
    { given: "/data/link", real: "/mnt/data" },
  ],
};

describe("isInside", () => {
  const cases: [string, string, boolean][] = [
    ["/srv/ws", "/srv/ws", true],
    ["/srv/ws/a/b", "/srv/ws", true],
    ["/srv/wsx", "/srv/ws", false],
    ["/srv", "/srv/ws", false],
    ["/anything", "/", true],
    ["/srv/ws/", "/srv/ws/", true],
  ];
  for (const [p, parent, want] of cases) test(`${p} in ${parent} → ${want}`, () => expect(isInside(p, parent)).toBe(want));
});

describe("normalizeRequest", () => {
  const ok: [string, string][] = [
    ["a.txt", "/srv/ws/a.txt"],
    ["", "/srv/ws"],
    [".", "/srv/ws"],
    ["./dir/../b.txt", "/srv/ws/b.txt"],
    ["../ws/c", "/srv/ws/c"],
    ["/srv/ws/d/e", "/srv/ws/d/e"],
    ["/srv/ws/../ws/f", "/srv/ws/f"],
    ["/mnt/data/x", "/mnt/data/x"],
    ["/data/link/y/z", "/mnt/data/y/z"],
    ["/data/link", "/mnt/data"],
    ["dir//double///slash", "/srv/ws/dir/double/slash"],
  ];
  for (const [req, want] of ok) test(`accepts ${JSON.stringify(req)} → ${want}`, () => expect(normalizeRequest(req, policy)).toBe(want));

  const refused = ["../../etc/shadow", "..", "../wsx/a", "/etc/passwd", "/srv/wsx", "/", "/srv", "a/../../..", "/data/linkx/a", "/mnt/data/../secret", "a\0b"];
  for (const req of refused) {
    test(`refuses ${JSON.stringify(req)}`, () => {
      expect(() => normalizeRequest(req, policy)).toThrow(PathEscapeError);
    });
  }

  test("the message names the path and where to work instead", () => {
    expect(() => normalizeRequest("../../etc/shadow", policy)).toThrow(
      "path escapes the workspace: ../../etc/shadow; use a path inside /srv/ws (or /mnt/data)",
    );
  });
});

describe("checkReal / findRoot", () => {
  test("real path inside a root passes", () => {
    expect(checkReal("link", "/mnt/data/f", policy)).toBe("/mnt/data/f");
    expect(findRoot("/srv/ws/q", ["/mnt/data", "/srv/ws"])).toBe("/srv/ws");
  });
  test("real path outside is refused and says where it resolves", () => {
    expect(() => checkReal("link", "/root/.ssh/id_rsa", policy)).toThrow("path escapes the workspace (it resolves to /root/.ssh/id_rsa): link; use a path inside");
  });
  test("a narrower root list (writable roots) is honoured", () => {
    expect(() => checkReal("x", "/mnt/data/x", policy, ["/srv/ws"])).toThrow(PathEscapeError);
  });
});

describe("displayPath", () => {
  const cases: [string, string][] = [
    ["/srv/ws", "."],
    ["/srv/ws/a/b.txt", "a/b.txt"],
    ["/mnt/data/x", "/mnt/data/x"],
  ];
  for (const [real, want] of cases) test(`${real} → ${want}`, () => expect(displayPath(real, "/srv/ws")).toBe(want));
});

// A plugin process lives in its own memory (and pids) cgroup: a plugin that takes memory without
// bound is OOM-killed inside its limit — a crash with the reason — instead of pressing the host
// until the kernel picks a victim (maybe the gateway). Real bwrap, real cgroup, real allocation.
import { afterEach, describe, expect, test } from "bun:test";
import { cgroupBases } from "../../src/sandbox/cgroup.ts";
import type { ToolContext } from "../../src/tools/types.ts";
import { toolContext } from "../tools/helpers.ts";
import { startHost, waitForPlugin, type TestHost } from "./helpers.ts";

let h: TestHost | undefined;
afterEach(async () => {
  await h?.host.stop();
  h = undefined;
});

const text = (r: { content: { type: string; text?: string }[] }) => r.content.map((b) => b.text ?? "").join("");

describe("plugin resource limits", () => {
  test("the machine running the tests has a memory cgroup to confine plugins in", () => {
    expect(cgroupBases()?.memory ?? "no memory cgroup (see src/sandbox/cgroup.ts)").toContain("/");
  });

  test("a plugin over its memory limit is killed inside it, and the reason says so", async () => {
    h = await startHost(["hog"], { host: { resources: { memoryBytes: 192 << 20, maxPids: 64 }, restart: { maxCrashes: 1 } } });
    const small = await h.target.tools.get("hog")!.run({ mb: 16 }, toolContext() as ToolContext);
    expect(text(small)).toBe("holding 16 MiB");
    const big = await h.target.tools.get("hog")!.run({ mb: 1024 }, toolContext() as ToolContext);
    expect(big.isError).toBe(true);
    expect(text(big)).not.toContain("holding 1024 MiB");
    const info = await waitForPlugin(h.host, "hog", (p) => p.state === "disabled");
    expect(info.reason).toContain("it ran out of memory (the limit is 192 MiB)");
  });
});

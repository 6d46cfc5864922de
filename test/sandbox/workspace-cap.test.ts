// tools.exec.maxWorkspaceMb with real bwrap: a command is stopped when the workspace would pass
// the cap, and a workspace already at the cap runs nothing.
import { describe, expect, test } from "bun:test";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ConfigSchema } from "../../src/config/schema.ts";
import { StorageFullError } from "../../src/core/errors.ts";
import { createExecutor } from "../../src/sandbox/create-executor.ts";
import { diskUsage } from "../../src/sandbox/workspace-usage.ts";
import { LEVELS, quietLog, useFakeHost } from "./bwrap-helpers.ts";

const h = useFakeHost();
const MiB = 1 << 20;

for (const level of LEVELS) {
  describe(`tools.exec.maxWorkspaceMb at ${level}`, () => {
    const executor = (name: string) => {
      const workspace = join(h.state, `ws-cap-${level}-${name}`);
      mkdirSync(workspace, { recursive: true });
      const config = ConfigSchema.parse({
        agents: { defaults: { workspace, sandbox: { level, limits: { timeoutMs: 20_000, fileSizeMb: 4 } } } },
        tools: { exec: { maxWorkspaceMb: 6 } },
      });
      return { ex: createExecutor(config, "main", { home: h.home, stateDir: h.state, log: quietLog, registryDir: false }), workspace };
    };

    test("writing past what the cap leaves stops the command, and the result names the key", async () => {
      const { ex, workspace } = executor("grow");
      writeFileSync(join(workspace, "existing.bin"), Buffer.alloc(3 * MiB, 1));
      const r = await ex.exec({ command: "for i in $(seq 1 200); do head -c 1048576 /dev/zero > part$i.bin || exit 9; done; echo finished" });
      expect(r.stdout).not.toContain("finished");
      expect(r.killed).toMatch(/^killed: write limit tools\.exec\.maxWorkspaceMb=6 \(the workspace held 3 MB\)/);
      expect(diskUsage(workspace)).toBeLessThan(200 * MiB); // far from what the loop would have written
    }, 60_000);

    test("a workspace at the cap runs nothing: the error says what to delete", async () => {
      const { ex, workspace } = executor("full");
      for (const n of [1, 2]) writeFileSync(join(workspace, `big${n}.bin`), Buffer.alloc(3 * MiB + 4096, 1));
      const err = await ex.exec({ command: "touch ran" }).then(() => null, (e: unknown) => e);
      expect(err).toBeInstanceOf(StorageFullError);
      expect((err as Error).message).toMatch(/tools\.exec\.maxWorkspaceMb=6; delete files/);
      expect(await ex.fs.stat("ran")).toBeNull();
    });
  });
}

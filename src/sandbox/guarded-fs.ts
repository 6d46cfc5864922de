/**
 * A `SandboxFs` that refuses every call while the executor's probe says the sandbox cannot run:
 * when exec is refused, the file tools are refused with the same actionable reason.
 */
import { SandboxUnavailableError } from "../core/errors.ts";
import type { ExecutorStatus, FileStat, SandboxFs } from "./executor.ts";

export function guardFs(inner: SandboxFs, status: () => Promise<ExecutorStatus>): SandboxFs {
  const ready = async (): Promise<void> => {
    const s = await status();
    if (!s.ok) throw new SandboxUnavailableError(s.reason ?? "the sandbox is unavailable", { details: { level: s.level } });
  };
  return {
    root: inner.root,
    resolve: async (path, opts) => (await ready(), inner.resolve(path, opts)),
    readFile: async (path, opts) => (await ready(), inner.readFile(path, opts)),
    writeFile: async (path, data) => (await ready(), inner.writeFile(path, data)),
    stat: async (path) => (await ready(), inner.stat(path)),
    list: async (path) => (await ready(), inner.list(path)),
    walk: (path, opts) => walkGuarded(ready, () => inner.walk(path, opts)),
  };
}

async function* walkGuarded(ready: () => Promise<void>, walk: () => AsyncIterable<FileStat>): AsyncIterable<FileStat> {
  await ready();
  yield* walk();
}

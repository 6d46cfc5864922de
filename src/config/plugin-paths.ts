/**
 * `plugins.load.paths`: each entry is a plugin directory (or file). A relative entry is resolved
 * against the config file's directory, `~` against the home directory. An entry that does not
 * exist is one warning naming the key, the resolved path and the fix (the gateway still starts;
 * nothing loads from that entry).
 */
import { statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { expandHome } from "./paths.ts";

export function resolvePluginPath(entry: string, configFile: string): string {
  return resolve(dirname(configFile), expandHome(entry));
}

export function pluginPathWarnings(paths: readonly string[], configFile: string): string[] {
  return paths.flatMap((entry, i) => {
    const abs = resolvePluginPath(entry, configFile);
    try {
      statSync(abs);
      return [];
    } catch (err) {
      const why = (err as NodeJS.ErrnoException).code === "ENOENT" ? "does not exist" : `cannot be read (${(err as NodeJS.ErrnoException).code ?? "error"})`;
      return [`plugins.load.paths.${i}: ${abs} ${why}, so no plugin loads from it (in ${configFile}); create it, fix the path, or remove the entry`];
    }
  });
}

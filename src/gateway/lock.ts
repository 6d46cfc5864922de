/**
 * Single instance per state dir: a lock file (`state/gateway.lock`) created exclusively, holding
 * the owner's pid. A lock whose pid is gone (a crash, kill -9) is stale and taken over; a live
 * owner makes the second gateway fail with a message that names it.
 */
import { closeSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from "node:fs";
import { dirname } from "node:path";
import { ConflictError } from "../core/errors.ts";
import { processAlive } from "../core/pid.ts";

export class GatewayLockedError extends ConflictError {
  static override readonly type: string = "GatewayLockedError";
}

export interface GatewayLock {
  path: string;
  release(): void;
}

export function acquireGatewayLock(path: string, stateDir: string): GatewayLock {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(path, "wx", 0o600);
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      let released = false;
      return {
        path,
        release() {
          if (released) return;
          released = true;
          try {
            if (Number(readFileSync(path, "utf8").trim()) === process.pid) unlinkSync(path);
          } catch {
            // already gone
          }
        },
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    }
    let pid = NaN;
    try {
      pid = Number(readFileSync(path, "utf8").trim());
    } catch {
      continue; // removed between our open and read: try again
    }
    if (processAlive(pid) && pid !== process.pid) {
      throw new GatewayLockedError(
        `another gateway (pid ${pid}) is running with state dir ${stateDir}; stop it first, or use another OPENCLAW_STATE_DIR`,
      );
    }
    try {
      unlinkSync(path); // stale: its owner is gone
    } catch {
      // someone else took it over first; the next attempt sees theirs
    }
  }
  throw new GatewayLockedError(`could not take the gateway lock ${path}; remove it if no gateway is running`);
}

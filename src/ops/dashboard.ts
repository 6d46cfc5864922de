/**
 * What `openclaw dashboard` does: ask the running gateway for a one-time login link
 * (`dashboard.code`, with the gateway token, over `POST /rpc`), and open it in the browser when
 * there is a desktop to open it on. The link carries the code in its fragment (`/#/login?code=…`),
 * valid once, for 60 s; the gateway token itself never goes into a URL.
 *
 * A desktop: macOS, or `DISPLAY` / `WAYLAND_DISPLAY` set (an SSH session without X forwarding has
 * neither, so the link is only printed there). The opener (`open`, `xdg-open`) is spawned without
 * a shell, detached, its output ignored; a missing opener is reported, never fatal.
 */
import { spawn } from "node:child_process";
import { MethodNotFoundError, UnavailableError } from "../core/errors.ts";
import { callGateway, type ClientOptions } from "./gateway-client.ts";

export interface DashboardLink {
  code: string;
  /** unix ms */
  expiresAt: number;
  url: string;
}

/** Throws UnavailableError when no gateway runs for this state dir (naming how to start one) or it predates dashboard.code. */
export async function mintDashboardLink(opts: ClientOptions = {}): Promise<DashboardLink> {
  let answer;
  try {
    answer = await callGateway<DashboardLink>("dashboard.code", {}, opts);
  } catch (err) {
    if (err instanceof MethodNotFoundError) {
      throw new UnavailableError("the running gateway is older than this openclaw and has no dashboard login (dashboard.code); restart it with this binary (`openclaw daemon restart`, or stop it and run `openclaw gateway run`)", { cause: err });
    }
    throw err;
  }
  if (!answer.reachable) {
    throw new UnavailableError(`${answer.reason}; the dashboard is served by the gateway: start it with \`openclaw gateway run\` (or \`openclaw daemon install\`), then run \`openclaw dashboard\` again`);
  }
  return answer.result;
}

export function hasDesktop(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): boolean {
  if (platform === "darwin") return true;
  return Boolean(env.DISPLAY || env.WAYLAND_DISPLAY);
}

export function opener(platform: NodeJS.Platform = process.platform): string {
  return platform === "darwin" ? "open" : "xdg-open";
}

/** Starts the opener on `url`; resolves false (with why) when it cannot be started. Does not wait for the browser. */
export function openInBrowser(url: string, program = opener()): Promise<{ opened: boolean; reason?: string }> {
  return new Promise((resolve) => {
    let child;
    try {
      child = spawn(program, [url], { detached: true, stdio: "ignore", shell: false });
    } catch (err) {
      return resolve({ opened: false, reason: `${program} could not start: ${(err as Error).message}` });
    }
    child.once("error", (err) => resolve({ opened: false, reason: `${program} could not start (${(err as NodeJS.ErrnoException).code ?? err.message})` }));
    child.once("spawn", () => {
      child.unref();
      resolve({ opened: true });
    });
  });
}

/**
 * The whole environment a tool's process gets, at every sandbox level: the executor's PATH and
 * HOME, LANG (from the host, else C.UTF-8), TERM=dumb, the config's `envAllow` names read from the
 * host, then the request's own variables. A variable is dropped with a warning (naming the
 * variable, never its value) when its name looks like a secret, or when its value holds a secret:
 * a value registered with `redact()` (every `ApiKey`, tokens read from files), a known token
 * shape, or the value of any host variable whose name looks like a secret (so
 * `envAllow: ["X"]` with `X=$OPENAI_API_KEY` passes nothing). `process.env` is never inherited.
 */
import type { Logger } from "../core/log.ts";
import { redact } from "../core/secrets.ts";

const SECRET_NAME = /(API_?KEY|TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIALS?)$/i;
/** shorter values (a "1", a "true") say nothing about a secret */
const MIN_SECRET = 8;

export interface ToolEnvOptions {
  path: string;
  home: string;
  envAllow: readonly string[];
  hostEnv: Record<string, string | undefined>;
  /** the request's own variables; applied last */
  extra?: Record<string, string> | undefined;
  log: Logger;
}

export function toolEnv(o: ToolEnvOptions): Record<string, string> {
  const env: Record<string, string> = {
    PATH: o.path,
    HOME: o.home,
    LANG: o.hostEnv.LANG || "C.UTF-8",
    TERM: "dumb",
  };
  const hostSecrets = Object.entries(o.hostEnv).flatMap(([k, v]) => (v && v.length >= MIN_SECRET && SECRET_NAME.test(k) ? [v] : []));
  const add = (name: string, value: string | undefined, from: string) => {
    if (value === undefined) return;
    if (SECRET_NAME.test(name) || redact(value) !== value || hostSecrets.some((s) => value.includes(s))) {
      o.log.warn(`sandbox: ${from} variable ${name} looks like a secret and is not passed to tools`);
      return;
    }
    env[name] = value;
  };
  for (const name of o.envAllow) add(name, o.hostEnv[name], "envAllow");
  for (const [name, value] of Object.entries(o.extra ?? {})) add(name, value, "requested");
  return env;
}

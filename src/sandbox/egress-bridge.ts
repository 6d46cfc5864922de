/**
 * The in-sandbox half of the egress allowlist. Runs INSIDE bwrap (own network namespace, only
 * loopback), as the parent of the command:
 *   bridge <proxy socket> <port> -- <command…>
 * listens on 127.0.0.1:<port> (the sandbox's own loopback), then starts the command with the same
 * stdio, and pipes every TCP connection to the gateway's egress proxy through the bound-in Unix
 * socket. It exits with the command's status; if the bridge dies, bwrap's PID 1 goes with it and
 * takes the command along, so neither outlives the other.
 *
 * Started as `openclaw __egress-bridge …` (the compiled binary: src/main.ts dispatches the hidden
 * argument) or `bun egress-bridge.ts …` (from source: see `import.meta.main` below). Imports only
 * node built-ins, so it starts fast and needs nothing else from the host.
 */
import { spawn } from "node:child_process";
import { connect, createServer, type Socket } from "node:net";
import { constants } from "node:os";

export const EGRESS_BRIDGE_ARG = "__egress-bridge";
/** exit status when the bridge cannot start (the same the limits wrapper uses) */
const FAIL = 125;

export function runBridge(argv: string[]): void {
  const sep = argv.indexOf("--");
  const [socketPath, portText] = argv;
  const command = sep >= 0 ? argv.slice(sep + 1) : [];
  const port = Number(portText);
  if (sep !== 2 || !socketPath || !Number.isInteger(port) || port < 0 || port > 65535 || command.length === 0) {
    return fail(`usage: ${EGRESS_BRIDGE_ARG} <proxy socket> <port> -- <command…>`);
  }
  const server = createServer({ allowHalfOpen: true }, (tcp) => pipeTo(tcp, socketPath));
  server.once("error", (err) => fail(`cannot listen on 127.0.0.1:${port} (${err.message})`));
  server.listen(port, "127.0.0.1", () => {
    const child = spawn(command[0]!, command.slice(1), { stdio: "inherit" });
    child.once("error", (err) => fail(`cannot start ${command[0]} (${err.message})`));
    child.once("exit", (code, signal) => process.exit(code ?? 128 + signalNumber(signal)));
  });
}

function pipeTo(tcp: Socket, socketPath: string): void {
  const unix = connect({ path: socketPath, allowHalfOpen: true });
  const both = () => {
    tcp.destroy();
    unix.destroy();
  };
  for (const s of [tcp, unix]) {
    s.on("error", both);
    s.once("close", both);
  }
  tcp.pipe(unix);
  unix.pipe(tcp);
}

function fail(message: string): void {
  process.stderr.write(`openclaw sandbox: egress bridge: ${message}\n`);
  process.exit(FAIL);
}

/** 128 + n for a command killed by signal n, as a shell reports it */
function signalNumber(signal: NodeJS.Signals | null): number {
  return (signal && constants.signals[signal]) || 1;
}

if (import.meta.main) runBridge(process.argv.slice(2));

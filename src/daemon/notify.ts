/**
 * sd_notify: tells systemd (a `Type=notify` unit) that the gateway is ready or stopping, by
 * sending one datagram to the unix socket named by `NOTIFY_SOCKET` (a path, or `@name` for the
 * Linux abstract namespace). Neither Bun nor Node has a unix datagram client, so this calls libc's
 * socket/sendto/close through bun:ffi (built into Bun, so it works in the compiled binary too: no
 * native dependency, and the sender is the gateway's own PID, so the unit keeps the default
 * NotifyAccess=main). See docs/decisions.md.
 *
 * Contract: never throws. Without NOTIFY_SOCKET (not under systemd) it does nothing and returns
 * false; a failure to send is logged once as a warning and returns false.
 */
import { dlopen, FFIType, ptr, read } from "bun:ffi";
import { errorMessage } from "../core/errors.ts";
import { createLogger } from "../core/log.ts";

const AF_UNIX = 1;
const SOCK_DGRAM = 2;
const SOCK_CLOEXEC = 0o2000000;
const MSG_NOSIGNAL = 0x4000;
const SUN_PATH_MAX = 108;

type Libc = {
  socket: (domain: number, type: number, protocol: number) => number;
  sendto: (fd: number, buf: unknown, len: number, flags: number, addr: unknown, addrlen: number) => number | bigint;
  close: (fd: number) => number;
  __errno_location: () => number | bigint | null;
};

let libc: Libc | null = null;
let warned = false;

/** glibc first; the musl names cover an Alpine-style system (a musl Bun build). */
const LIBC_NAMES = ["libc.so.6", `libc.musl-${process.arch === "arm64" ? "aarch64" : "x86_64"}.so.1`, "libc.so"];

const SYMBOLS = {
  socket: { args: [FFIType.i32, FFIType.i32, FFIType.i32], returns: FFIType.i32 },
  sendto: { args: [FFIType.i32, FFIType.ptr, FFIType.u64, FFIType.i32, FFIType.ptr, FFIType.u32], returns: FFIType.i64 },
  close: { args: [FFIType.i32], returns: FFIType.i32 },
  __errno_location: { args: [], returns: FFIType.ptr },
} as const;

function openLibc(): Libc {
  if (libc) return libc;
  const failures: string[] = [];
  for (const name of LIBC_NAMES) {
    try {
      libc = dlopen(name, SYMBOLS).symbols as unknown as Libc;
      return libc;
    } catch (err) {
      failures.push(`${name}: ${errorMessage(err)}`);
    }
  }
  throw new Error(`cannot load libc for sendto (${failures.join("; ")})`);
}

/** struct sockaddr_un for `socketPath` (`@x` → abstract "\0x") and the length to pass to sendto. */
export function sockaddrUn(socketPath: string): { addr: Uint8Array; length: number } {
  const abstract = socketPath.startsWith("@");
  const name = Buffer.from(abstract ? socketPath.slice(1) : socketPath, "utf8");
  if (name.length === 0 || name.length > SUN_PATH_MAX - 1) {
    throw new Error(`NOTIFY_SOCKET must be a socket path of 1-${SUN_PATH_MAX - 1} bytes, got ${name.length}`);
  }
  const addr = new Uint8Array(2 + SUN_PATH_MAX);
  new DataView(addr.buffer).setUint16(0, AF_UNIX, true); // sa_family_t, host order (little-endian on every Linux target we build)
  addr.set(name, abstract ? 3 : 2); // abstract: sun_path[0] stays 0
  // a path is NUL-terminated (the buffer is zeroed); an abstract name is exactly its bytes
  return { addr, length: 2 + (abstract ? 1 + name.length : name.length + 1) };
}

/** Sends `state` (newline-separated `KEY=value` lines) to `socketPath`. Throws with the errno-less reason on failure. */
export function sendNotify(socketPath: string, state: string): void {
  const { addr, length } = sockaddrUn(socketPath);
  const c = openLibc();
  const fd = c.socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw new Error(`socket(AF_UNIX, SOCK_DGRAM) failed (errno ${errno(c)})`);
  try {
    const msg = Buffer.from(state, "utf8");
    const sent = Number(c.sendto(fd, ptr(msg), msg.length, MSG_NOSIGNAL, ptr(addr), length));
    if (sent !== msg.length) throw new Error(`sendto ${socketPath} failed (errno ${errno(c)}: is the socket there and writable?)`);
  } finally {
    c.close(fd);
  }
}

function errno(c: Libc): number {
  const p = c.__errno_location();
  return p ? read.i32(Number(p) as never, 0) : -1;
}

/** sd_notify(3): sends when NOTIFY_SOCKET is set; false when it is not or sending failed (logged once). */
export function sdNotify(state: string, env: Record<string, string | undefined> = process.env): boolean {
  const socketPath = env.NOTIFY_SOCKET;
  if (!socketPath) return false;
  try {
    sendNotify(socketPath, state);
    return true;
  } catch (err) {
    if (!warned) {
      warned = true;
      createLogger("daemon").warn(`could not notify systemd through NOTIFY_SOCKET (${errorMessage(err)}); a Type=notify unit will time out waiting for readiness`);
    }
    return false;
  }
}

/** READY=1 once the gateway listens; STATUS is what `systemctl status` shows. */
export function notifyReady(status?: string): boolean {
  return sdNotify(`READY=1\nMAINPID=${process.pid}${status ? `\nSTATUS=${oneLine(status)}` : ""}`);
}

/** STOPPING=1 when a graceful stop begins. */
export function notifyStopping(status = "stopping"): boolean {
  return sdNotify(`STOPPING=1\nSTATUS=${oneLine(status)}`);
}

const oneLine = (s: string): string => s.replace(/[\r\n]+/g, " ");

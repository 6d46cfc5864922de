/**
 * The `strict` level's seccomp filter, assembled here as a classic-BPF program (what
 * `bwrap --seccomp FD` reads: an array of 8-byte `struct sock_filter`, native endianness).
 *
 * Policy (deny list; everything else is allowed):
 * - wrong architecture (a 32-bit or x32 syscall entry on a 64-bit host) → the process is killed,
 *   so the deny list cannot be sidestepped through another syscall table;
 * - ptrace, process_vm_readv/writev, mount family, pivot_root, unshare, setns, io_uring_*, bpf,
 *   perf_event_open, keyring calls, kexec, module loading, userfaultfd, the new mount API → EPERM;
 * - clone() with any namespace flag → EPERM; clone3() → ENOSYS (its flags sit behind a pointer the
 *   filter cannot read; libc then falls back to clone(), which is checked);
 * - socket(AF_NETLINK | AF_PACKET, …) and any SOCK_RAW socket → EPERM.
 *
 * Supported: x86_64 and aarch64. Elsewhere `buildSeccompFilter` returns null and `strict` runs
 * without this layer (the probe reports it).
 */

const BPF_LD_W_ABS = 0x20;
const BPF_JEQ_K = 0x15;
const BPF_JSET_K = 0x45;
const BPF_JGE_K = 0x35;
const BPF_RET_K = 0x06;
const BPF_AND_K = 0x54;

export const SECCOMP_RET_ALLOW = 0x7fff0000;
export const SECCOMP_RET_KILL_PROCESS = 0x80000000;
export const SECCOMP_RET_ERRNO = 0x00050000;
const EPERM = 1;
const ENOSYS = 38;

const AF_NETLINK = 16;
const AF_PACKET = 17;
const SOCK_RAW = 3;
const SOCK_TYPE_MASK = 0xf;
/** CLONE_NEWNS | NEWCGROUP | NEWUTS | NEWIPC | NEWUSER | NEWPID | NEWNET (NEWTIME shares the exit-signal byte in clone(); unshare is denied anyway) */
const CLONE_NS_FLAGS = 0x00020000 | 0x02000000 | 0x04000000 | 0x08000000 | 0x10000000 | 0x20000000 | 0x40000000;

/** Offsets into `struct seccomp_data`. */
const OFF_NR = 0;
const OFF_ARCH = 4;
const argLow = (i: number) => 16 + 8 * i; // little-endian: the low 32 bits come first

/** The syscalls denied outright, by name. */
export const DENIED_SYSCALLS = [
  "ptrace", "process_vm_readv", "process_vm_writev",
  "mount", "umount2", "pivot_root", "chroot", "unshare", "setns",
  "open_tree", "move_mount", "fsopen", "fsconfig", "fsmount", "fspick", "mount_setattr",
  "io_uring_setup", "io_uring_enter", "io_uring_register",
  "bpf", "perf_event_open", "userfaultfd",
  "keyctl", "add_key", "request_key",
  "kexec_load", "kexec_file_load", "init_module", "finit_module", "delete_module",
] as const;
export type DeniedSyscall = (typeof DENIED_SYSCALLS)[number];

interface ArchTable {
  audit: number;
  /** syscall numbers at or above this are another ABI (x32) and are killed; 0 = none */
  abiBit: number;
  nr: Record<DeniedSyscall | "socket" | "clone" | "clone3", number>;
}

const X86_64: ArchTable = {
  audit: 0xc000003e,
  abiBit: 0x40000000,
  nr: {
    ptrace: 101, process_vm_readv: 310, process_vm_writev: 311,
    mount: 165, umount2: 166, pivot_root: 155, chroot: 161, unshare: 272, setns: 308,
    open_tree: 428, move_mount: 429, fsopen: 430, fsconfig: 431, fsmount: 432, fspick: 433, mount_setattr: 442,
    io_uring_setup: 425, io_uring_enter: 426, io_uring_register: 427,
    bpf: 321, perf_event_open: 298, userfaultfd: 323,
    keyctl: 250, add_key: 248, request_key: 249,
    kexec_load: 246, kexec_file_load: 320, init_module: 175, finit_module: 313, delete_module: 176,
    socket: 41, clone: 56, clone3: 435,
  },
};

const AARCH64: ArchTable = {
  audit: 0xc00000b7,
  abiBit: 0,
  nr: {
    ptrace: 117, process_vm_readv: 270, process_vm_writev: 271,
    mount: 40, umount2: 39, pivot_root: 41, chroot: 51, unshare: 97, setns: 268,
    open_tree: 428, move_mount: 429, fsopen: 430, fsconfig: 431, fsmount: 432, fspick: 433, mount_setattr: 442,
    io_uring_setup: 425, io_uring_enter: 426, io_uring_register: 427,
    bpf: 280, perf_event_open: 241, userfaultfd: 282,
    keyctl: 219, add_key: 217, request_key: 218,
    kexec_load: 104, kexec_file_load: 294, init_module: 105, finit_module: 273, delete_module: 106,
    socket: 198, clone: 220, clone3: 435,
  },
};

export function archTable(arch: string = process.arch): ArchTable | null {
  return arch === "x64" ? X86_64 : arch === "arm64" ? AARCH64 : null;
}

export type Insn = [code: number, jt: number, jf: number, k: number];
type Target = string | null; // a label, or null = the next instruction
type Line = { label?: string; code: number; jt?: Target; jf?: Target; k: number };

/** Resolves labels into forward jump offsets (classic BPF only jumps forward, at most 255). */
function assemble(lines: Line[]): Insn[] {
  const at = new Map<string, number>();
  lines.forEach((l, i) => l.label && at.set(l.label, i));
  const off = (from: number, to: Target): number => {
    if (to === null || to === undefined) return 0;
    const idx = at.get(to);
    if (idx === undefined || idx <= from || idx - from - 1 > 255) throw new Error(`seccomp: bad jump to ${to}`);
    return idx - from - 1;
  };
  return lines.map((l, i) => [l.code, off(i, l.jt ?? null), off(i, l.jf ?? null), l.k >>> 0]);
}

/** The filter as instructions (exported for the tests' interpreter). Null on an unsupported arch. */
export function seccompProgram(arch: string = process.arch): Insn[] | null {
  const t = archTable(arch);
  if (!t) return null;
  const L: Line[] = [];
  const ld = (k: number, label?: string) => L.push({ code: BPF_LD_W_ABS, k, ...(label ? { label } : {}) });
  const jeq = (k: number, jt: Target, jf: Target = null) => L.push({ code: BPF_JEQ_K, jt, jf, k });
  const ret = (k: number, label?: string) => L.push({ code: BPF_RET_K, k, ...(label ? { label } : {}) });

  ld(OFF_ARCH);
  jeq(t.audit, null, "kill");
  ld(OFF_NR);
  if (t.abiBit) L.push({ code: BPF_JGE_K, jt: "kill", jf: null, k: t.abiBit });
  for (const name of DENIED_SYSCALLS) jeq(t.nr[name], "eperm");
  jeq(t.nr.socket, "socket");
  jeq(t.nr.clone, "clone");
  jeq(t.nr.clone3, "enosys");
  ret(SECCOMP_RET_ALLOW);

  ld(argLow(0), "socket");
  jeq(AF_NETLINK, "eperm");
  jeq(AF_PACKET, "eperm");
  ld(argLow(1));
  L.push({ code: BPF_AND_K, k: SOCK_TYPE_MASK });
  jeq(SOCK_RAW, "eperm");
  ret(SECCOMP_RET_ALLOW);

  ld(argLow(0), "clone");
  L.push({ code: BPF_JSET_K, jt: "eperm", jf: null, k: CLONE_NS_FLAGS });
  ret(SECCOMP_RET_ALLOW);

  ret(SECCOMP_RET_ERRNO | ENOSYS, "enosys");
  ret(SECCOMP_RET_ERRNO | EPERM, "eperm");
  ret(SECCOMP_RET_KILL_PROCESS, "kill");
  return assemble(L);
}

const filters = new Map<string, Uint8Array | null>();

/** The program as bytes for `bwrap --seccomp FD` (host byte order; both supported arches are little-endian). */
export function buildSeccompFilter(arch: string = process.arch): Uint8Array | null {
  // the program depends on the arch only, and strict builds it for every command: build it once
  let buf = filters.get(arch);
  if (buf === undefined) filters.set(arch, (buf = encodeFilter(arch)));
  return buf;
}

function encodeFilter(arch: string): Uint8Array | null {
  const prog = seccompProgram(arch);
  if (!prog) return null;
  const buf = new Uint8Array(prog.length * 8);
  const view = new DataView(buf.buffer);
  prog.forEach(([code, jt, jf, k], i) => {
    view.setUint16(i * 8, code, true);
    view.setUint8(i * 8 + 2, jt);
    view.setUint8(i * 8 + 3, jf);
    view.setUint32(i * 8 + 4, k, true);
  });
  return buf;
}

// The release targets: Bun's --target name, the platform name used in file names, and the ELF
// interpreter a Linux binary must ask for (checked by test/release).
export interface ReleaseTarget {
  /** `bun build --compile --target=` value */
  bun: string;
  /** file-name platform: openclaw-<name> */
  name: string;
  os: "linux" | "darwin";
  arch: "x64" | "arm64";
  libc: "glibc" | "musl" | null;
}

export const TARGETS: ReleaseTarget[] = [
  { bun: "bun-linux-x64", name: "linux-x64", os: "linux", arch: "x64", libc: "glibc" },
  { bun: "bun-linux-arm64", name: "linux-arm64", os: "linux", arch: "arm64", libc: "glibc" },
  { bun: "bun-linux-x64-musl", name: "linux-x64-musl", os: "linux", arch: "x64", libc: "musl" },
  { bun: "bun-linux-arm64-musl", name: "linux-arm64-musl", os: "linux", arch: "arm64", libc: "musl" },
  { bun: "bun-darwin-x64", name: "darwin-x64", os: "darwin", arch: "x64", libc: null },
  { bun: "bun-darwin-arm64", name: "darwin-arm64", os: "darwin", arch: "arm64", libc: null },
];

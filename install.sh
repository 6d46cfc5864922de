#!/bin/sh
# Install openclaw from a release: detect OS, arch and libc, download the matching archive and
# SHA256SUMS from OPENCLAW_RELEASE_URL, check the archive's SHA-256 before anything from it runs,
# let the new binary verify the release manifest's Ed25519 signature with its compiled-in key,
# then move it into ~/.local/bin (or /usr/local/bin as root; OPENCLAW_INSTALL_DIR overrides).
#   curl -fsSL <release-url>/install.sh | sh
#   OPENCLAW_RELEASE_URL=https://…/releases/latest sh install.sh
set -eu

base="${OPENCLAW_RELEASE_URL:-https://openclaw.example/releases/latest}"
base="${base%/}"

die() { echo "install.sh: $*" >&2; exit 1; }

fetch() { # url dest
  if command -v curl >/dev/null 2>&1; then curl -fsSL -o "$2" "$1"
  elif command -v wget >/dev/null 2>&1; then wget -q -O "$2" "$1"
  else die "need curl or wget"; fi
}

sha256() {
  if command -v sha256sum >/dev/null 2>&1; then sha256sum "$1" | cut -d' ' -f1
  elif command -v shasum >/dev/null 2>&1; then shasum -a 256 "$1" | cut -d' ' -f1
  else die "need sha256sum or shasum"; fi
}

case "$(uname -s)" in
  Linux) os=linux ;;
  Darwin) os=darwin ;;
  *) die "unsupported OS $(uname -s) (releases exist for Linux and macOS)" ;;
esac
case "$(uname -m)" in
  x86_64 | amd64) arch=x64 ;;
  aarch64 | arm64) arch=arm64 ;;
  *) die "unsupported CPU $(uname -m) (releases exist for x64 and arm64)" ;;
esac
target="$os-$arch"
if [ "$os" = linux ]; then
  if ls /lib/ld-musl-* >/dev/null 2>&1 && ! ls /lib*/ld-linux-* /lib/*/ld-linux-* >/dev/null 2>&1; then
    target="$target-musl"
  fi
fi

if [ -n "${OPENCLAW_INSTALL_DIR:-}" ]; then dir="$OPENCLAW_INSTALL_DIR"
elif [ "$(id -u)" = 0 ]; then dir=/usr/local/bin
else dir="$HOME/.local/bin"; fi

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT INT TERM
archive="openclaw-$target.tar.gz"
echo "install.sh: openclaw for $target from $base"
fetch "$base/SHA256SUMS" "$tmp/SHA256SUMS" || die "cannot download $base/SHA256SUMS (set OPENCLAW_RELEASE_URL)"
fetch "$base/$archive" "$tmp/$archive" || die "cannot download $base/$archive"
fetch "$base/manifest.json" "$tmp/manifest.json" || die "cannot download $base/manifest.json"
fetch "$base/manifest.json.sig" "$tmp/manifest.json.sig" || die "the release is unsigned (no $base/manifest.json.sig): refused"

want="$(awk -v f="$archive" '$2 == f { print $1 }' "$tmp/SHA256SUMS")"
[ -n "$want" ] || die "SHA256SUMS has no line for $archive"
got="$(sha256 "$tmp/$archive")"
[ "$got" = "$want" ] || die "checksum mismatch for $archive (got $got, SHA256SUMS says $want): refused"
# the archive is trusted now; SHA256SUMS itself must agree with the signed manifest, checked next
mkdir "$tmp/x"
tar -xzf "$tmp/$archive" -C "$tmp/x"
bin="$tmp/x/openclaw-$target"
[ -f "$bin" ] || die "$archive does not hold openclaw-$target"
want_bin="$(awk -v f="openclaw-$target" '$2 == f { print $1 }' "$tmp/SHA256SUMS")"
[ "$(sha256 "$bin")" = "$want_bin" ] || die "the binary in $archive does not match SHA256SUMS: refused"
chmod 755 "$bin"
"$bin" update --verify-manifest "$tmp/manifest.json" >/dev/null || die "the release manifest's signature does not verify: refused"
grep -q "\"sha256\": \"$want_bin\"" "$tmp/manifest.json" || die "the signed manifest does not list this binary's checksum: refused"

mkdir -p "$dir"
mv "$bin" "$dir/.openclaw.new"
mv "$dir/.openclaw.new" "$dir/openclaw"
echo "install.sh: installed $("$dir/openclaw" --version) to $dir/openclaw"
case ":$PATH:" in
  *":$dir:"*) ;;
  *) echo "install.sh: $dir is not on PATH; add it: export PATH=\"$dir:\$PATH\"" ;;
esac
echo "next: openclaw onboard"

#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# Fixture of the deployment tests: a Debian bookworm root made by `debootstrap --variant=minbase`
# from the host's configured mirror, in BUILD_DIR/deploy/rootfs (reused while its stamp exists).
# It stands in for debian:bookworm-slim (image test) and for a fresh VM (VMSS test).
# Usage: rootfs.sh BUILD_DIR
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$here/lib.sh"
[[ $(id -u) == 0 ]] || fail "debootstrap needs root: run the deployment tests as root"
out="$1/deploy/rootfs"
if [[ -f "$out.stamp" && -d "$out/usr" ]]; then echo "rootfs: reusing $out"; exit 0; fi
rm -rf "$out" "$out.tmp" "$out.stamp"
mkdir -p "$1/deploy"
mirror="$(debian_mirror)"
step "debootstrap --variant=minbase bookworm from $mirror"
start=$SECONDS
debootstrap --variant=minbase bookworm "$out.tmp" "$mirror" >"$1/deploy/debootstrap.log" 2>&1 ||
  fail "debootstrap failed: $(tail -5 "$1/deploy/debootstrap.log")"
rm -rf "$out.tmp/var/cache/apt/archives/"*.deb
mv "$out.tmp" "$out"
touch "$out.stamp"
echo "rootfs: ready in $((SECONDS - start)) s"

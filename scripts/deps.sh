#!/bin/sh
# Install the Debian packages the build needs, when they are missing.
# Run as root on a fresh machine (the Makefile calls this before building).
set -eu
pkgs="gcc make libgmp-dev libedit-dev libxxhash-dev libcmocka-dev libseccomp-dev pkg-config"
case "${1:-}" in
    --with-clang) pkgs="$pkgs clang libclang-rt-14-dev" ;;
    --with-erlang) pkgs="$pkgs erlang-base" ;;
esac
missing=""
for p in $pkgs; do
    dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ]; then
    echo "lona: missing packages:$missing (install them as root: apt-get install$missing)" >&2
    exit 1
fi
echo "lona: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
apt-get install -y -qq $missing >/dev/null

#!/usr/bin/env bash
# build-deb.sh [BUILD_DIR [OUT_DIR]]: goxel-daemon_VERSION_ARCH.deb, built by
# debhelper (debian/ at the top of the checkout) from a CMake build tree
# (default: build/ of this checkout; OUT_DIR default BUILD_DIR/deb).
# debian/ is copied into OUT_DIR/src, so nothing is written into the
# checkout. Needs dpkg-dev and debhelper (Debian packages).
set -euo pipefail
SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
die() { printf 'build-deb.sh: %s\n' "$*" >&2; exit 1; }
BUILD=${1:-$SRC/build}
[[ -f $BUILD/CMakeCache.txt ]] || die "no CMake build tree at $BUILD (cmake -S . -B build first)"
BUILD=$(cd "$BUILD" && pwd)
OUT=${2:-$BUILD/deb}
for tool in dpkg-buildpackage dh; do
  command -v "$tool" >/dev/null || die "$tool not found: apt-get install -y dpkg-dev debhelper"
done

# The build tree up to date, then its version against debian/changelog's.
cmake --build "$BUILD" >/dev/null || die "cmake --build $BUILD failed"
version=$("$BUILD/daemon/goxel-daemon" --version) || die "$BUILD/daemon/goxel-daemon --version failed"
version=${version##* }
changelog=$(dpkg-parsechangelog -l "$SRC/debian/changelog" -S Version)
[[ $version == "$changelog" ]] ||
  die "debian/changelog is at $changelog, the build at $version: add an entry (dch -v $version)"

rm -rf "$OUT"
mkdir -p "$OUT/src"
cp -a "$SRC/debian" "$OUT/src/"
if ! (cd "$OUT/src" && GOXEL_BUILD_DIR=$BUILD dpkg-buildpackage -b -us -uc) >"$OUT/build.log" 2>&1; then
  tail -n 40 "$OUT/build.log" >&2
  die "dpkg-buildpackage failed (the whole log: $OUT/build.log)"
fi
rm -rf "$OUT/src"
ls "$OUT"/goxel-daemon_"$version"_*.deb

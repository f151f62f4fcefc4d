#!/usr/bin/env bash
# toolchains/deps/fetch-binary.sh - Fetches and unpacks a Debian binary package of another architecture.
#
#   toolchains/deps/fetch-binary.sh <package> <debian-arch> <cache-dir>
#
# The fallback for a dependency whose Debian source package the mirror does not serve (libinih's
# source is 404 on this project's mirror, its binaries are not): downloads <package> for
# <debian-arch> (arm64, armhf, ...) as Debian built it and unpacks it with dpkg-deb into
# <cache-dir>/<package>_<version>_<arch>/, whose path it prints, alone, on stdout. Idempotent
# like fetch-source.sh (the stamp is <cache-dir>/<package>_<arch>.tree).
#
# Nothing is installed and the system's apt and dpkg configuration is never touched (no
# `dpkg --add-architecture`, see docs/CROSS.md): a private apt in <cache-dir>/apt-<arch>/ reads
# the system's sources as `deb` entries for that one architecture, with an empty dpkg status.
set -euo pipefail

if [ $# -ne 3 ] || [ -z "$1" ] || [ -z "$2" ] || [ -z "$3" ]; then
  echo "usage: fetch-binary.sh <package> <debian-arch> <cache-dir>" >&2
  exit 2
fi
package=$1
arch=$2
mkdir -p "$3"
cache=$(cd "$3" && pwd)
say() { echo "fetch-binary: $*" >&2; }
# shellcheck source=private-apt.sh
source "$(dirname "${BASH_SOURCE[0]}")/private-apt.sh"

for tool in apt-get dpkg-deb flock; do
  command -v "$tool" >/dev/null || { say "$tool not found"; exit 1; }
done

exec 9>"$cache/.lock-$arch"
flock 9

stamp="$cache/${package}_$arch.tree"
if [ -s "$stamp" ] && [ -d "$cache/$(cat "$stamp")" ]; then
  say "$package:$arch already unpacked in $cache/$(cat "$stamp")"
  echo "$cache/$(cat "$stamp")"
  exit 0
fi

apt_dir="$cache/apt-$arch"
mkdir -p "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial" "$apt_dir/download"
private_apt_sources "$apt_dir" deb

apt_options=(
  -o Dir::Etc::SourceList=/dev/null
  -o "Dir::Etc::SourceParts=$apt_dir/sources.list.d"
  -o "Dir::State::Lists=$apt_dir/lists"
  -o "Dir::Cache=$apt_dir/cache"
  -o Dir::State::status=/dev/null
  -o "APT::Architecture=$arch"
  -o "APT::Architectures::=$arch"
  -o "APT::Sandbox::User=$(id -un)"
  -o Acquire::Languages=none
)

if ! compgen -G "$apt_dir/lists/*_Packages*" >/dev/null; then
  say "updating the $arch package lists in $apt_dir/lists"
  # The mirror's armhf security index is stale (CROSS.md): errors there are expected.
  apt-get "${apt_options[@]}" -qq update >&2 || say "apt-get update reported errors (continuing)"
fi
version=$(apt-cache "${apt_options[@]}" show --no-all-versions "$package:$arch" 2>/dev/null |
          sed -n 's/^Version: //p' | head -n 1)
if [ -z "$version" ]; then
  say "no $package for $arch in the system's apt sources"
  exit 1
fi
say "fetching $package $version for $arch"
(cd "$apt_dir/download" && apt-get "${apt_options[@]}" -qq download "$package:$arch" >&2)
deb=$(ls "$apt_dir/download/${package}_${version#*:}_$arch.deb")
tree="${package}_${version#*:}_$arch"
rm -rf "${cache:?}/$tree.partial"
dpkg-deb -x "$deb" "$cache/$tree.partial"
rm -rf "${cache:?}/$tree"
mv "$cache/$tree.partial" "$cache/$tree"
echo "$tree" >"$stamp.partial"
mv "$stamp.partial" "$stamp"
say "unpacked $deb in $cache/$tree"
echo "$cache/$tree"

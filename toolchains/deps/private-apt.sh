# toolchains/deps/private-apt.sh - Sourced by fetch-source.sh and fetch-binary.sh: a private copy
# of the system's apt sources.
#
#   private_apt_sources <dir> <deb|deb-src>
#
# Writes <dir>/sources.list.d/ with every source the system's apt knows (deb822 .sources files and
# one-line .list files), each turned into entries of the given type, so that apt run with
# Dir::Etc::SourceParts=<dir>/sources.list.d sees the system's mirrors and suites for binaries or
# for sources. The system's own configuration is only read.
private_apt_sources() {
  local dir=$1 type=$2 file
  mkdir -p "$dir/sources.list.d"
  rm -f "$dir/sources.list.d/"*
  shopt -s nullglob
  for file in /etc/apt/sources.list.d/*.sources; do # deb822: every stanza becomes <type>
    sed -E "s/^Types:.*/Types: $type/" "$file" >"$dir/sources.list.d/$(basename "$file")"
  done
  for file in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do # one-line format
    [ -f "$file" ] || continue
    sed -nE "s/^[[:space:]]*deb([[:space:]])/$type\\1/p" "$file" \
      >"$dir/sources.list.d/$(basename "$file" | tr / _).list"
  done
  shopt -u nullglob
}

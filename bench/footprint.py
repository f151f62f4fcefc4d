#!/usr/bin/env python3
# bench/footprint.py - Stripped size of the static edgecur per cross target, and who takes the space.
"""Usage: bench/footprint.py [BUILD_DIR...]   (default: build/aarch64 build/armhf)

For each build directory holding firmware/edgecur (a fully static cross build, presets aarch64 and
armhf), prints the size of the stripped binary and the budget of issue 4, then the share of each
component in the symbols the binary holds (`<triple>-nm --size-sort -S` on the unstripped
binary), each symbol attributed to the static library that defines that name: ours (libec_*,
platform, firmware), the dependencies in <build>/_deps, inih, and the toolchain's libstdc++,
glibc (libc.a, libm.a) and libgcc. A local symbol whose name two libraries define goes to the
first; the shares are estimates, the stripped size is exact.
"""
import os
import re
import subprocess
import sys
import tempfile

TRIPLES = {"aarch64": "aarch64-linux-gnu", "armhf": "arm-linux-gnueabihf"}
BUDGETS = {"aarch64": int(2.6 * 1024 * 1024), "armhf": int(1.9 * 1024 * 1024)}


def archives(build, triple):
    """(component, archive path) for every static library the firmware may link, ours first."""
    found = []
    for root, _dirs, files in os.walk(build):
        for name in files:
            if not name.endswith(".a"):
                continue
            path = os.path.join(root, name)
            if "/_deps/" in path:
                label = {"libsqlite3.a": "sqlite", "libz.a": "zlib", "libcurl.a": "curl",
                         "libinih.a": "inih"}.get(name, "mbedtls" if "mbed" in name else None)
            elif name.startswith("libec_") or "/firmware/" in path or "/platform/" in path:
                label = "edgecur"
            else:
                label = None
            if label:
                found.append((label, path))
    inih = subprocess.run(["cmake", "-L", "-N", build], capture_output=True, text=True).stdout
    match = re.search(r"^INIH_LIBRARY:FILEPATH=(.*)$", inih, re.M)
    if match:
        found.append(("inih", match.group(1)))
    compiler = f"{triple}-g++"
    for label, library in [("libstdc++", "libstdc++.a"), ("glibc", "libc.a"), ("glibc", "libm.a"),
                           ("libgcc", "libgcc.a"), ("libgcc", "libgcc_eh.a")]:
        path = subprocess.run([compiler, f"-print-file-name={library}"], capture_output=True,
                              text=True).stdout.strip()
        if os.path.isabs(path):
            found.append((label, path))
    return found


def symbol_owners(nm, found):
    """Defined symbol name -> component, from each archive's symbol table (first one wins)."""
    owners = {}
    for label, path in found:
        out = subprocess.run([nm, "--defined-only", path], capture_output=True, text=True).stdout
        for line in out.splitlines():
            parts = line.split()
            if len(parts) == 3:
                owners.setdefault(parts[2], label)
    return owners


def binary_symbols(nm, binary):
    out = subprocess.run([nm, "--size-sort", "-S", binary], capture_output=True, text=True,
                         check=True).stdout
    for line in out.splitlines():
        parts = line.split(None, 3)
        if len(parts) == 4 and parts[2].lower() in "tdrbvw":
            yield int(parts[1], 16), parts[2], parts[3]


def main(argv):
    build_dirs = argv or ["build/aarch64", "build/armhf"]
    status = 0
    for build in build_dirs:
        target = os.path.basename(os.path.normpath(build))
        triple = TRIPLES.get(target)
        binary = os.path.join(build, "firmware", "edgecur")
        if triple is None or not os.path.exists(binary):
            print(f"{build}: no cross edgecur here (build the preset first)")
            status = 1
            continue
        with tempfile.TemporaryDirectory() as tmp:
            stripped = os.path.join(tmp, "edgecur")
            subprocess.run([f"{triple}-strip", "-o", stripped, binary], check=True)
            size = os.path.getsize(stripped)
        budget = BUDGETS[target]
        verdict = "within" if size <= budget else "OVER"
        print(f"{target}: stripped static edgecur {size} bytes ({size / 1048576:.2f} MiB), "
              f"{verdict} the {budget / 1048576:.1f} MiB budget")
        owners = symbol_owners(f"{triple}-nm", archives(build, triple))
        totals = {}
        for bytes_, _kind, name in binary_symbols(f"{triple}-nm", binary):
            label = owners.get(name, "unattributed")
            totals[label] = totals.get(label, 0) + bytes_
        counted = sum(totals.values())
        for label, bytes_ in sorted(totals.items(), key=lambda item: -item[1]):
            print(f"  {label:22} {bytes_:9d} bytes  {100.0 * bytes_ / counted:5.1f}%")
        if size > budget:
            status = 1
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

#!/usr/bin/env python3
# bench/footprint.py - Stripped size of the static edgecur per cross target, and who takes the space.
"""Usage: bench/footprint.py [--no-ingest] [--runs N] [BUILD_DIR...]
                            (default: build/aarch64 build/armhf build/x86_64)

Sizes. For each build directory holding firmware/edgecur (a fully static firmware-profile build:
presets aarch64, armhf, x86_64), prints the size of the stripped binary and the budget of issue 4
(none is set for x86_64), then the share of each component in the symbols the binary holds
(`<triple>-nm --size-sort -S` on the unstripped binary), each symbol attributed to the static
library that defines that name: ours (libec_*, platform, firmware), the dependencies in
<build>/_deps, inih, and the toolchain's libstdc++, glibc (libc.a, libm.a) and libgcc. A local
symbol whose name two libraries define goes to the first; the shares are estimates, the stripped
size is exact.

Ingest (x86_64, native). With build/x86_64 (edgecur, edgecur_alloc_count) and the release build's
bench tools (cur_generator, peak_rss), on the 1M-row legacy file bench/run_bench.py uses (cached
in build/release/bench-data): the peak RSS of `edgecur ingest` (max over --runs runs, each on a
fresh store; the release build's dynamic edgecur beside it when present), SQLite's peak in its
fixed heap as edgecur reports it, and the heap allocations: every malloc, calloc, realloc and
aligned allocation of the whole process, counted by edgecur_alloc_count for a 10k-row and the
1M-row file. What the 1M-row file allocates beyond the 10k-row one grows with the input: the target
is zero, so that every allocation is made at start-up.
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile
import types

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import run_bench  # noqa: E402  (the 1M-row file and its cache, shared with the ingest bench)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

TRIPLES = {"aarch64": "aarch64-linux-gnu", "armhf": "arm-linux-gnueabihf",
           "x86_64": "x86_64-linux-gnu"}
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


def sizes(build_dirs):
    status = 0
    for build in build_dirs:
        target = os.path.basename(os.path.normpath(build))
        triple = TRIPLES.get(target)
        binary = os.path.join(build, "firmware", "edgecur")
        if triple is None or not os.path.exists(binary):
            print(f"{build}: no firmware-profile edgecur here (build the preset first)")
            status = 1
            continue
        with tempfile.TemporaryDirectory() as tmp:
            stripped = os.path.join(tmp, "edgecur")
            subprocess.run([f"{triple}-strip", "-o", stripped, binary], check=True)
            size = os.path.getsize(stripped)
        budget = BUDGETS.get(target)
        if budget:
            verdict = "within" if size <= budget else "OVER"
            print(f"{target}: stripped static edgecur {size} bytes ({size / 1048576:.2f} MiB), "
                  f"{verdict} the {budget / 1048576:.1f} MiB budget")
        else:
            print(f"{target}: stripped static edgecur {size} bytes ({size / 1048576:.2f} MiB), "
                  f"no budget set")
        owners = symbol_owners(f"{triple}-nm", archives(build, triple))
        totals = {}
        for bytes_, _kind, name in binary_symbols(f"{triple}-nm", binary):
            label = owners.get(name, "unattributed")
            totals[label] = totals.get(label, 0) + bytes_
        counted = sum(totals.values())
        for label, bytes_ in sorted(totals.items(), key=lambda item: -item[1]):
            print(f"  {label:22} {bytes_:9d} bytes  {100.0 * bytes_ / counted:5.1f}%")
        # What went into the image (toolchains/deps/manifest.cmake), so two footprints can be
        # compared knowing which revisions, and which fallbacks, they were built from.
        manifest = os.path.join(build, "firmware", "edgecur.manifest")
        if os.path.exists(manifest):
            print("  build manifest:")
            with open(manifest, encoding="utf-8") as lines:
                for line in lines:
                    print(f"    {line.rstrip()}")
        else:
            print(f"  build manifest: none in {manifest} (configure the preset again)")
        if budget and size > budget:
            status = 1
    return status


def ingest_once(peak_rss, binary, data, work, name, environment=None):
    """One `ingest` on a fresh store: (peak RSS KiB, stdout)."""
    store = os.path.join(work, name + ".db")
    rss_file = os.path.join(work, name + ".rss")
    done = subprocess.run([peak_rss, rss_file, binary, "ingest", "--store", store, data],
                          capture_output=True, text=True, env=environment)
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(store + suffix):
            os.remove(store + suffix)
    if done.returncode != 0:
        raise SystemExit(f"footprint: {binary} ingest {data} failed: {done.stderr.strip()}")
    with open(rss_file) as rss:
        return int(rss.read()), done.stdout


def allocations(peak_rss, binary, data, work, name):
    counts_file = os.path.join(work, name + ".counts")
    environment = dict(os.environ, EDGECUR_ALLOC_COUNT_FILE=counts_file)
    ingest_once(peak_rss, binary, data, work, name, environment)
    with open(counts_file) as counts:
        return {key: int(value) for key, value in re.findall(r"(\w+)=(\d+)", counts.read())}


def ingest(runs):
    firmware = os.path.join(ROOT, "build", "x86_64", "firmware")
    release = os.path.join(ROOT, "build", "release")
    tools = types.SimpleNamespace(
        generator=os.path.join(release, "bench", "cur_generator"),
        cache=os.path.join(release, "bench-data"), seed=42, accounts=24, period="2023-11")
    peak_rss = os.path.join(release, "bench", "peak_rss")
    needed = [os.path.join(firmware, "edgecur"), os.path.join(firmware, "edgecur_alloc_count"),
              tools.generator, peak_rss]
    missing = [path for path in needed if not os.access(path, os.X_OK)]
    if missing:
        print("ingest: not measured, missing " + ", ".join(missing) +
              " (cmake --preset x86_64 && cmake --build --preset x86_64; cmake --preset release"
              " && cmake --build build/release --target cur_generator peak_rss)")
        return 1
    large, meta = run_bench.generate(tools, "legacy", 1_000_000)
    small, _ = run_bench.generate(tools, "legacy", 10_000)
    print(f"x86_64 native ingest of the 1M-row legacy file ({meta['gz_bytes'] / 1e6:.0f} MB gz, "
          f"{meta['csv_bytes'] / 1e6:.0f} MB CSV), best of {runs} for RSS:")
    with tempfile.TemporaryDirectory() as work:
        binaries = [("firmware (static, x86_64 preset)", os.path.join(firmware, "edgecur"))]
        dynamic = os.path.join(release, "firmware", "edgecur")
        if os.access(dynamic, os.X_OK):
            binaries.append(("release (dynamic, Debian's SQLite)", dynamic))
        for label, binary in binaries:
            rss = []
            sqlite_line = ""
            for run in range(runs):
                kib, out = ingest_once(peak_rss, binary, large, work, f"rss{run}")
                rss.append(kib)
                sqlite_line = next((line for line in out.splitlines()
                                    if line.startswith("SQLite memory")), sqlite_line)
            print(f"  {label:36} peak RSS {max(rss) / 1024:5.1f} MiB"
                  f"{'; ' + sqlite_line if sqlite_line else ''}")
        counting = os.path.join(firmware, "edgecur_alloc_count")
        few = allocations(peak_rss, counting, small, work, "small")
        many = allocations(peak_rss, counting, large, work, "large")
        grown = many["allocations"] - few["allocations"]
        print(f"  heap allocations (malloc+calloc+realloc+aligned), whole process: "
              f"{few['allocations']} for 10k rows, {many['allocations']} for 1M rows")
        print(f"  allocations that grow with the input: {grown} "
              f"({'zero after start-up' if grown == 0 else 'target is zero'})")
        return 0 if grown == 0 else 1


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--no-ingest", action="store_true", help="sizes only")
    parser.add_argument("--runs", type=int, default=3, help="ingest runs for the peak RSS")
    parser.add_argument("builds", nargs="*",
                        default=["build/aarch64", "build/armhf", "build/x86_64"])
    args = parser.parse_args(argv)
    status = sizes(args.builds)
    if not args.no_ingest:
        print()
        status = ingest(args.runs) or status
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

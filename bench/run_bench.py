#!/usr/bin/env python3
# bench/run_bench.py - One command for edgecur's ingest benchmark: floor, engine, reference, RSS.
"""Generates (and caches) CUR files, then on the same file and in the same run times:
  - the floor: bench/inflate_floor, plain zlib inflate of the .gz with the output thrown away;
  - the engine: `edgecur ingest --store <fresh db> FILE`;
and checks `edgecur report --store DB --format csv` against tests/reference/cur_reference.py.

    python3 bench/run_bench.py                      # legacy 1M + 4M rows, CUR 2.0 1M rows
    python3 bench/run_bench.py --sizes 20000 --no-cur2 --runs 1     # a quick smoke run

Each timed program runs --runs times as its own process (the file is read once first so the
page cache is warm); the best (lowest) wall time counts, and the CPU time (user + sys from
os.wait4, i.e. of that child alone) of the same run is shown beside it because the machine may be
shared. Peak RSS is ru_maxrss of the ingest process itself, max over runs, taken by
bench/peak_rss (a small launcher: ru_maxrss survives exec, so a child forked from this Python
process would report Python's size).
ratio = floor seconds / ingest seconds (target >= 0.75). MB/s counts uncompressed CSV, 10^6 bytes.
The reference check is on by default for files up to 1M rows (--reference all|none to change).
Exit status: 0 when every check that ran passed, 1 otherwise, 2 on a usage error.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REFERENCE = os.path.join(ROOT, "tests", "reference", "cur_reference.py")
RATIO_TARGET = 0.75
RSS_TOLERANCE = 0.10


def run_measured(argv, stdout=subprocess.DEVNULL, env=None):
    """Runs argv; returns (exit status, wall s, cpu s, peak RSS KiB, stderr text). The rusage is
    the child's own (os.wait4 on its pid), so concurrent processes do not leak into it."""
    with tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        process = subprocess.Popen(argv, stdout=stdout, stderr=err, env=env)
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        text = err.read().decode(errors="replace")
    return process.returncode, wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss, text


def warm(path):
    with open(path, "rb") as f:
        while f.read(1 << 20):
            pass


def generate(args, shape, rows):
    """The cached .csv.gz for (shape, rows) and its metadata (csv bytes, generator speed)."""
    os.makedirs(args.cache, exist_ok=True)
    name = "cur-%s-%d-s%d-a%d.csv.gz" % (shape, rows, args.seed, args.accounts)
    path = os.path.join(args.cache, name)
    meta_path = path + ".json"
    fresh = (os.path.exists(path) and os.path.exists(meta_path) and
             os.path.getmtime(path) >= os.path.getmtime(args.generator))
    if fresh:
        with open(meta_path) as f:
            return path, json.load(f)
    print("generating %s ..." % name, file=sys.stderr, flush=True)
    partial = path + ".partial"
    argv = [args.generator, "--shape", shape, "--rows", str(rows), "--seed", str(args.seed),
            "--accounts", str(args.accounts), "--period", args.period, "--gzip", "--out", partial]
    status, wall, cpu, _, err = run_measured(argv)
    if status != 0:
        raise SystemExit("run_bench: generator failed: %s" % err.strip())
    # "...; 1008455043 bytes csv, 149118371 bytes written; ..."
    csv_bytes = int(err.split(" bytes csv")[0].rsplit(" ", 1)[1])
    meta = {"rows": rows, "shape": shape, "csv_bytes": csv_bytes,
            "gz_bytes": os.path.getsize(partial), "generate_seconds": wall,
            "generate_cpu_seconds": cpu, "argv": argv[1:]}
    os.replace(partial, path)
    with open(meta_path, "w") as f:
        json.dump(meta, f)
    return path, meta


def reference_report(args, path):
    """(report text, seconds or None when cached) of cur_reference.py over path, cached."""
    cached = path + ".reference.csv"
    if os.path.exists(cached) and os.path.getmtime(cached) >= max(
            os.path.getmtime(path), os.path.getmtime(REFERENCE)):
        with open(cached) as f:
            return f.read(), None
    print("reference over %s ..." % os.path.basename(path), file=sys.stderr, flush=True)
    with open(cached + ".partial", "wb") as out:
        status, wall, _, _, err = run_measured([sys.executable, REFERENCE, path], stdout=out)
    if status != 0:
        raise SystemExit("run_bench: reference failed: %s" % err.strip())
    os.replace(cached + ".partial", cached)
    with open(cached) as f:
        return f.read(), wall


def compare(engine_text, reference_text):
    """'yes' or a short description of the first differences."""
    if engine_text == reference_text:
        return "yes", []
    engine = engine_text.splitlines()
    reference = reference_text.splitlines()
    diffs = []
    for index in range(max(len(engine), len(reference))):
        a = engine[index] if index < len(engine) else "<missing>"
        b = reference[index] if index < len(reference) else "<missing>"
        if a != b:
            diffs.append("line %d\n  edgecur:   %s\n  reference: %s" % (index + 1, a, b))
            if len(diffs) == 5:
                break
    return "NO (%d vs %d lines)" % (len(engine), len(reference)), diffs


def bench_case(args, shape, rows, engine_present):
    path, meta = generate(args, shape, rows)
    result = {"shape": shape, "rows": rows, "meta": meta, "path": path}
    warm(path)

    floors = []
    for _ in range(args.runs):
        status, wall, cpu, _, err = run_measured([args.inflate_floor, path])
        if status != 0:
            raise SystemExit("run_bench: inflate_floor failed: %s" % err.strip())
        floors.append((wall, cpu))
    result["floor"] = min(floors)

    if engine_present:
        runs = []
        with tempfile.TemporaryDirectory(prefix="edgecur-bench-") as scratch:
            for run in range(args.runs):
                db = os.path.join(scratch, "store-%d.db" % run)
                rss_file = os.path.join(scratch, "rss-%d" % run)
                status, wall, cpu, _, err = run_measured(
                    [args.peak_rss, rss_file, args.edgecur, "ingest", "--store", db, path])
                rss = int(open(rss_file).read()) if os.path.exists(rss_file) else 0
                if status != 0:
                    result["error"] = "ingest exit %d: %s" % (status, err.strip()[-500:])
                    break
                runs.append((wall, cpu, rss))
            if runs:
                result["ingest"] = min((wall, cpu) for wall, cpu, _ in runs)
                result["rss_kib"] = max(rss for _, _, rss in runs)
                report = subprocess.run([args.edgecur, "report", "--store", db, "--format", "csv"],
                                        capture_output=True)
                if report.returncode != 0:
                    result["error"] = "report exit %d: %s" % (
                        report.returncode, report.stderr.decode(errors="replace")[-500:])
                else:
                    result["engine_report"] = report.stdout.decode(errors="replace")

    check = args.reference == "all" or (args.reference == "auto" and rows <= 1_000_000)
    if check:
        text, seconds = reference_report(args, path)
        result["reference_seconds"] = seconds
        if "engine_report" in result:
            result["match"], result["diffs"] = compare(result["engine_report"], text)
        result["reference_keys"] = max(0, text.count("\n") - 1)
    return result


def mb(value):
    return value / 1e6


def table(results, engine_present):
    lines = ["| file | rows | .gz MB | CSV MB | floor s (cpu) | ingest s (cpu) | floor/ingest "
             "| rows/s | CSV MB/s | peak RSS MiB | = reference |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"]
    for r in results:
        meta = r["meta"]
        floor_wall, floor_cpu = r["floor"]
        cells = ["%s %s" % (r["shape"], "gzip"), "{:,}".format(r["rows"]),
                 "%.0f" % mb(meta["gz_bytes"]), "%.0f" % mb(meta["csv_bytes"]),
                 "%.2f (%.2f)" % (floor_wall, floor_cpu)]
        if "ingest" in r:
            wall, cpu = r["ingest"]
            cells += ["%.2f (%.2f)" % (wall, cpu), "%.2f" % (floor_wall / wall),
                      "{:,.0f}".format(r["rows"] / wall), "%.0f" % (mb(meta["csv_bytes"]) / wall),
                      "%.1f" % (r["rss_kib"] / 1024)]
        else:
            cells += ["-" if engine_present else "n/a"] * 5
        cells.append(r.get("match", "not checked" if "reference_keys" not in r else "-"))
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    build = os.path.join(ROOT, "build", "release")
    parser.add_argument("--edgecur", default=os.path.join(build, "firmware", "edgecur"))
    parser.add_argument("--generator", default=os.path.join(build, "bench", "cur_generator"))
    parser.add_argument("--inflate-floor", default=os.path.join(build, "bench", "inflate_floor"))
    parser.add_argument("--peak-rss", default=os.path.join(build, "bench", "peak_rss"))
    parser.add_argument("--cache", default=os.path.join(build, "bench-data"),
                        help="where generated files and reference reports are kept")
    parser.add_argument("--sizes", default="1000000,4000000",
                        help="legacy row counts, comma separated (RSS is compared between the "
                             "smallest and the largest)")
    parser.add_argument("--cur2-rows", type=int, default=1_000_000)
    parser.add_argument("--no-cur2", action="store_true")
    parser.add_argument("--runs", type=int, default=3, help="timed runs of each program")
    parser.add_argument("--reference", choices=("auto", "all", "none"), default="auto",
                        help="auto: check files up to 1M rows against the reference")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--accounts", type=int, default=24)
    parser.add_argument("--period", default="2023-11")
    args = parser.parse_args()
    for tool in (args.generator, args.inflate_floor, args.peak_rss):
        if not os.access(tool, os.X_OK):
            parser.error("%s not found: cmake --preset release && cmake --build build/release "
                         "--target cur_generator inflate_floor peak_rss" % tool)
    engine_present = os.access(args.edgecur, os.X_OK)
    if not engine_present:
        print("run_bench: %s not found: engine columns skipped" % args.edgecur, file=sys.stderr)

    cases = [("legacy", int(size)) for size in args.sizes.split(",") if size]
    if not args.no_cur2:
        cases.append(("cur2", args.cur2_rows))
    results = []
    for shape, rows in cases:
        results.append(bench_case(args, shape, rows, engine_present))
        r = results[-1]
        print("done %s %d rows: floor %.2f s%s" % (
            shape, rows, r["floor"][0],
            ", ingest %.2f s" % r["ingest"][0] if "ingest" in r else ""), file=sys.stderr)

    failed = False
    print(table(results, engine_present))
    print()
    for r in results:
        meta = r["meta"]
        print("- %s %d rows: generated in %.1f s (%.0f rows/s, %.0f MB/s CSV, gzip level 6); "
              "floor %.0f MB/s CSV%s" % (
                  r["shape"], r["rows"], meta["generate_seconds"],
                  r["rows"] / meta["generate_seconds"],
                  mb(meta["csv_bytes"]) / meta["generate_seconds"],
                  mb(meta["csv_bytes"]) / r["floor"][0],
                  "; reference %.1f s (%.0f rows/s), %d keys" % (
                      r["reference_seconds"], r["rows"] / r["reference_seconds"],
                      r["reference_keys"]) if r.get("reference_seconds") else
                  ("; reference cached, %d keys" % r["reference_keys"]
                   if "reference_keys" in r else "")))
        if "error" in r:
            failed = True
            print("  ERROR: %s" % r["error"])
        if r.get("match", "yes") != "yes":
            failed = True
            for diff in r["diffs"]:
                print("  " + diff.replace("\n", "\n  "))
        if "ingest" in r and r["floor"][0] / r["ingest"][0] < RATIO_TARGET:
            print("  floor/ingest %.2f is below the %.2f target" % (
                r["floor"][0] / r["ingest"][0], RATIO_TARGET))
    legacy = [r for r in results if r["shape"] == "legacy" and "rss_kib" in r]
    if len(legacy) >= 2:
        small = min(legacy, key=lambda r: r["rows"])
        large = max(legacy, key=lambda r: r["rows"])
        growth = (large["rss_kib"] - small["rss_kib"]) / small["rss_kib"]
        within = abs(growth) <= RSS_TOLERANCE
        failed = failed or not within
        print("- peak RSS %d rows -> %d rows: %.1f -> %.1f MiB (%+.1f%%): %s" % (
            small["rows"], large["rows"], small["rss_kib"] / 1024, large["rss_kib"] / 1024,
            100 * growth, "within 10%" if within else "NOT within 10%"))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

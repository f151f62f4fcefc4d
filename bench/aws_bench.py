#!/usr/bin/env python3
# bench/aws_bench.py - edgecur once over loopback S3 (stand-in, s3rver) against ingest of the same file.
"""Times the release build's `edgecur once` reading one legacy CUR delivery over 127.0.0.1 from the
AWS stand-in (role + external id, signatures checked) and from s3rver (explicit bucket), and
`edgecur ingest` of the same local file; prints wall and CPU time, peak RSS of each (bench/peak_rss)
and the throughput ratio once/ingest (ingest seconds / once seconds: 1.0 means the network path
costs nothing). Every run's report must equal ingest's.

    python3 bench/aws_bench.py                                   # 1M legacy rows, both peers
    python3 bench/aws_bench.py --rows 20000 --peers standin      # a quick smoke run

The file is bench/run_bench.py's cached one (same name, seed, accounts and period), so the two
benchmarks share it. The stand-in runs as its own process (this one only waits), the file is
hard-linked into its bucket; s3rver gets it uploaded with botocore (needs .ci/setup's s3rver).
Exit status: 0 when every run passed and matched, 1 otherwise, 2 on a usage error.
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "bench"))
sys.path.insert(0, os.path.join(ROOT, "tests", "e2e"))

import run_bench  # noqa: E402  (generate, run_measured, warm)
import aws_peers  # noqa: E402
from report_bucket import LegacyReport, ReportBucket  # noqa: E402


def measured(args, scratch, name, argv):
    """{"status", "wall", "cpu", "rss_kib", "stderr", "allocations"} of one run under peak_rss
    (allocations: with --count-allocations, the heap calls edgecur_alloc_count counted, else -1)."""
    rss_file = os.path.join(scratch, "rss-%s" % name)
    counts_file = os.path.join(scratch, "allocations-%s" % name)
    env = dict(os.environ, EDGECUR_ALLOC_COUNT_FILE=counts_file) if args.count_allocations else None
    status, wall, cpu, _, err = run_bench.run_measured([args.peak_rss, rss_file] + argv, env=env)
    rss = int(open(rss_file).read()) if os.path.exists(rss_file) else 0
    allocations = -1
    if args.count_allocations and os.path.exists(counts_file):
        allocations = int(open(counts_file).read().split()[0].split("=")[1])
    return {"status": status, "wall": wall, "cpu": cpu, "rss_kib": rss, "stderr": err,
            "allocations": allocations}


def report_of(args, config=None, store=None):
    argv = [args.edgecur, "report", "--format", "csv"]
    argv += ["--config", config] if config else ["--store", store]
    result = subprocess.run(argv, capture_output=True, text=True, env=aws_peers.edgecur_env())
    return result.stdout if result.returncode == 0 else "report exit %d: %s" % (
        result.returncode, result.stderr.strip()[-300:])


def write_config(path, store, connection):
    lines = ["[store]", "path = %s" % store, "", "[connection bench]"]
    lines += ["%s = %s" % item for item in connection.items()]
    with open(path, "w") as out:
        out.write("\n".join(lines) + "\n")
    os.chmod(path, 0o600)
    return path


def once_run(args, scratch, name, connection):
    store = os.path.join(scratch, "%s.db" % name)
    config = write_config(os.path.join(scratch, "%s.ini" % name), store, connection)
    for run in range(args.runs):
        if os.path.exists(store):
            os.remove(store)
        result = measured(args, scratch, "%s-%d" % (name, run), [args.edgecur, "once", "--config", config])
        if result["status"] != 0:
            return result
        best = result if run == 0 or result["wall"] < best["wall"] else best
        best["rss_kib"] = max(best["rss_kib"], result["rss_kib"])
    best["report"] = report_of(args, config=config)
    return best


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    build = os.path.join(ROOT, "build", "release")
    parser.add_argument("--edgecur", default=os.path.join(build, "firmware", "edgecur"))
    parser.add_argument("--generator", default=os.path.join(build, "bench", "cur_generator"))
    parser.add_argument("--peak-rss", default=os.path.join(build, "bench", "peak_rss"))
    parser.add_argument("--cache", default=os.path.join(build, "bench-data"))
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--accounts", type=int, default=24)
    parser.add_argument("--period", default="2023-11",
                        help="billing period of the file (run_bench's default shares its cache)")
    parser.add_argument("--peers", default="standin,s3rver", help="standin, s3rver or both")
    parser.add_argument("--chunk", default="8M", help="chunk_bytes of the connection")
    parser.add_argument("--runs", type=int, default=1, help="timed runs of each program (best counts)")
    parser.add_argument("--count-allocations", action="store_true",
                        help="with --edgecur build/x86_64/firmware/edgecur_alloc_count: add the "
                             "heap calls of each run (bench/alloc_count.c)")
    args = parser.parse_args()
    for tool in (args.edgecur, args.generator, args.peak_rss):
        if not os.access(tool, os.X_OK):
            parser.error("%s not found: cmake --preset release && cmake --build build/release "
                         "--target edgecur cur_generator peak_rss" % tool)
    peers = [p for p in args.peers.split(",") if p]
    if set(peers) - {"standin", "s3rver"}:
        parser.error("--peers takes standin and/or s3rver")
    if "s3rver" in peers and aws_peers.s3rver_missing():
        parser.error(aws_peers.s3rver_missing())
    if args.period != "2023-11":  # run_bench's cache names do not carry the period
        args.cache = os.path.join(args.cache, "period-" + args.period)

    path, meta = run_bench.generate(args, "legacy", args.rows)
    run_bench.warm(path)
    os.makedirs(args.cache, exist_ok=True)
    scratch = tempfile.mkdtemp(prefix="aws-bench-", dir=args.cache)  # same disk: hard links
    results = []
    try:
        ingest = measured(args, scratch, "ingest", [args.edgecur, "ingest", "--store",
                                                    os.path.join(scratch, "ingest.db"), path])
        ingest["report"] = report_of(args, store=os.path.join(scratch, "ingest.db"))
        results.append(("ingest (local file)", ingest))
        common = {"chunk_bytes": args.chunk, "recheck_days": "365", "retries": "3"}

        if "standin" in peers:
            bucket = ReportBucket(os.path.join(scratch, "standin"), "edgecur-bench", region="us-east-1")
            report = LegacyReport(bucket, prefix="bench")
            report.deliver(args.period, sources=[path])
            identity = aws_peers.Identity()
            credentials = identity.write_credentials_file(os.path.join(scratch, "credentials"))
            config = {"report_definitions": [report.report_definition()],
                      "buckets": {bucket.name: {"region": bucket.region}}}
            config.update(identity.config())
            with aws_peers.standin(bucket.root, config, in_process=False) as peer:
                results.append(("once, stand-in", once_run(args, scratch, "standin", dict(
                    common, type="cur", role_arn=identity.role_arn, external_id=identity.external_id,
                    credentials_file=credentials, report_name=report.name, sts_endpoint=peer.url,
                    cur_endpoint=peer.url, s3_endpoint=peer.url, organizations_endpoint=peer.url,
                    s3_path_style="true"))))

        if "s3rver" in peers:
            bucket = ReportBucket(os.path.join(scratch, "s3src"), "edgecur-bench", region="us-east-1")
            report = LegacyReport(bucket, prefix="bench")
            report.deliver(args.period, sources=[path])
            with aws_peers.s3rver(os.path.join(scratch, "s3rver"), [bucket.name]) as peer:
                bucket.upload(peer.client())
                results.append(("once, s3rver", once_run(args, scratch, "s3rver", dict(
                    common, type="explicit", bucket=bucket.name, prefix=report.prefix,
                    report_name=report.name, region="us-east-1", s3_endpoint=peer.url,
                    s3_path_style="true", access_key_id=aws_peers.S3RVER_KEY,
                    secret_access_key=aws_peers.S3RVER_KEY))))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)

    failed = False
    csv_mb = meta["csv_bytes"] / 1e6
    print("file: %s, %s rows, %.0f MB gzip, %.0f MB CSV; chunk_bytes %s" % (
        os.path.basename(path), "{:,}".format(args.rows), meta["gz_bytes"] / 1e6, csv_mb, args.chunk))
    print()
    print("| run | exit | wall s | CPU s | CSV MB/s | peak RSS MiB | once/ingest | same report |"
          + (" heap allocations |" if args.count_allocations else ""))
    print("|---|---:|---:|---:|---:|---:|---:|---|" + ("---:|" if args.count_allocations else ""))
    base = results[0][1]
    for name, r in results:
        ok = r["status"] == 0
        same = "-" if r is base else ("yes" if r.get("report") == base.get("report") else "NO")
        ratio = "-" if r is base or not ok else "%.2f" % (base["wall"] / r["wall"])
        print("| %s | %d | %.2f | %.2f | %.0f | %.1f | %s | %s |" % (
            name, r["status"], r["wall"], r["cpu"], csv_mb / r["wall"] if ok else 0,
            r["rss_kib"] / 1024, ratio, same if ok else "-")
            + (" %d |" % r["allocations"] if args.count_allocations else ""))
        if not ok:
            failed = True
            print("  ERROR %s: %s" % (name, r["stderr"].strip()[-500:].replace("\n", "\n  ")))
        elif same == "NO":
            failed = True
    if base["status"] == 0 and not base["report"].startswith("billing_period"):
        failed = True
        print("  ERROR ingest report: %s" % base["report"][:300])
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

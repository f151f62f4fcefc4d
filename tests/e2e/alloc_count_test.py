#!/usr/bin/env python3
"""tests/e2e/alloc_count_test.py - Neither an ingest nor a `once` pass makes a heap allocation
that grows with its input.

edgecur_alloc_count is edgecur with every malloc, calloc, realloc and aligned allocation counted
(bench/alloc_count.c, linked with --wrap; built by the x86_64 firmware preset). It ingests two
deliveries made from the bundled legacy sample: 2 copies and 16 copies of its rows, each copy under
other usage accounts so that the hourly keys grow with the copies, gzip-compressed, with
[ingest] table_keys = 256 so that the in-memory table spills to the store many times mid-file.
Whatever the ingest allocates, it allocates at start-up: the count must be the same for both.

The same for `once` over the local AWS stand-in (tests/aws/standin, 127.0.0.1): the 2-copy and the
16-copy delivery, dated into a recent month, are read with 64 KiB ranged GETs (2 and about 14 of
them), every AWS call and every GET going through libcurl on the network's fixed heap ([ingest]
network_memory). The counts must be equal, and each report must equal the reference.

Environment: EDGECUR_ALLOC_BIN (the binary), EC_SAMPLE (the legacy sample CSV), EC_WORK_DIR,
CUR_REFERENCE (tests/reference/cur_reference.py).
"""
import csv
import gzip
import io
import os
import re
import shutil
import subprocess
import unittest

BINARY = os.environ.get("EDGECUR_ALLOC_BIN", "")
SAMPLE = os.environ.get("EC_SAMPLE", "")
WORK = os.environ.get("EC_WORK_DIR", "/tmp/edgecur-alloc-count")


SAMPLE_PERIOD = "2023-11"  # every row of the sample bills in it


def next_month(period):
    year, month = int(period[:4]), int(period[5:7])
    return "%04d-%02d" % ((year, month + 1) if month < 12 else (year + 1, 1))


def delivery(copies, path, period=SAMPLE_PERIOD):
    """Writes `copies` copies of the sample's rows, copy j under accounts shifted by j, gzipped;
    with `period` (a month of 30 days or more), every date moved from the sample's month to it."""
    with open(SAMPLE, newline="") as source:
        rows = list(csv.reader(source))
    header, body = rows[0], rows[1:]
    account = header.index("lineItem/UsageAccountId")
    dates = [header.index(name) for name in (
        "bill/BillingPeriodStartDate", "bill/BillingPeriodEndDate", "lineItem/UsageStartDate",
        "lineItem/UsageEndDate")]
    moves = [(SAMPLE_PERIOD + "-", period + "-"),
             (next_month(SAMPLE_PERIOD) + "-01", next_month(period) + "-01")]
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(header)
    for copy in range(copies):
        for row in body:
            row = list(row)
            row[account] = "%012d" % ((int(row[account]) + copy * 1_000_003) % 10**12)
            for column in dates:
                for old, new in moves:
                    row[column] = row[column].replace(old, new)
            writer.writerow(row)
    with gzip.open(path, "wt", newline="") as out:
        out.write(text.getvalue())
    return path


def counted_ingest(name, copies, config):
    """Runs the counting binary on a fresh store; returns (counts dict, hourly rows added)."""
    data = os.path.join(WORK, name + ".csv.gz")
    delivery(copies, data)
    store = os.path.join(WORK, name + ".db")
    counts_file = os.path.join(WORK, name + ".counts")
    environment = dict(os.environ, EDGECUR_ALLOC_COUNT_FILE=counts_file)
    done = subprocess.run([BINARY, "ingest", "--config", config, "--store", store, data],
                          env=environment, capture_output=True, text=True, timeout=240)
    if done.returncode != 0:
        raise AssertionError("%s: exit %d\n%s%s" % (name, done.returncode, done.stdout,
                                                    done.stderr))
    with open(counts_file) as counts_text:
        counts = {key: int(value) for key, value in
                  re.findall(r"(\w+)=(\d+)", counts_text.read())}
    added = re.search(r"added, ([\d,]+) hourly rows", done.stdout)
    if not added:
        raise AssertionError("%s: no 'added' line in:\n%s" % (name, done.stdout))
    return counts, int(added.group(1).replace(",", ""))


@unittest.skipUnless(BINARY and SAMPLE, "EDGECUR_ALLOC_BIN and EC_SAMPLE are not set")
class AllocationCount(unittest.TestCase):
    def test_ingest_allocates_nothing_that_grows_with_the_input(self):
        shutil.rmtree(WORK, ignore_errors=True)
        os.makedirs(WORK)
        config = os.path.join(WORK, "edgecur.ini")
        with open(config, "w") as ini:
            ini.write("[ingest]\ntable_keys = 256\n")
        small, small_keys = counted_ingest("small", 2, config)
        large, large_keys = counted_ingest("large", 16, config)
        print("2 copies: %d hourly rows, %s" % (small_keys, small))
        print("16 copies: %d hourly rows, %s" % (large_keys, large))
        # The data did grow, past the table many times over, and the counter does count.
        self.assertGreater(small_keys, 256)
        self.assertGreaterEqual(large_keys, 8 * small_keys - 16)
        self.assertGreater(small["allocations"], 0)
        self.assertEqual(small["allocations"], large["allocations"],
                         "allocating calls differ between 2 and 16 copies")


def read_counts(counts_file):
    with open(counts_file) as counts_text:
        return {key: int(value) for key, value in re.findall(r"(\w+)=(\d+)", counts_text.read())}


@unittest.skipUnless(BINARY and SAMPLE, "EDGECUR_ALLOC_BIN and EC_SAMPLE are not set")
class OnceAllocationCount(unittest.TestCase):
    """`once` over the stand-in: the heap calls do not grow with the GETs a delivery takes."""

    def counted_once(self, work, name, copies, period):
        """Runs `once` on a fresh bucket, stand-in and store; returns (counts, data GETs)."""
        from aws_peers import Identity, edgecur_env, standin
        from e2e_support import reference
        from report_bucket import LegacyReport, ReportBucket, standin_config

        root = os.path.join(work, name)
        os.makedirs(root)
        identity = Identity()
        bucket = ReportBucket(os.path.join(root, "buckets"), "edgecur-cur-bucket",
                              region="eu-west-1")
        report = LegacyReport(bucket)
        data = delivery(copies, os.path.join(root, "data.csv.gz"), period)
        report.deliver(period, sources=[data])
        credentials = identity.write_credentials_file(os.path.join(root, "aws-credentials"))
        store = os.path.join(root, "store.db")
        with standin(bucket.root, standin_config(reports=[report], buckets=[bucket],
                                                 identity=identity)) as aws:
            config = os.path.join(root, "edgecur.ini")
            with open(config, "w") as ini:
                ini.write("[store]\npath = %s\n[ingest]\ntable_keys = 256\n"
                          "[connection payer]\ntype = cur\nrole_arn = %s\nexternal_id = %s\n"
                          "credentials_file = %s\nreport_name = %s\nsts_endpoint = %s\n"
                          "cur_endpoint = %s\ns3_endpoint = %s\norganizations_endpoint = %s\n"
                          "s3_path_style = true\nchunk_bytes = 64K\nrecheck_days = 365\n"
                          % (store, identity.role_arn, identity.external_id, credentials,
                             report.name, aws.url, aws.url, aws.url, aws.url))
            os.chmod(config, 0o600)
            counts_file = os.path.join(root, "counts")
            done = subprocess.run([BINARY, "once", "--config", config],
                                  env=edgecur_env({"EDGECUR_ALLOC_COUNT_FILE": counts_file}),
                                  capture_output=True, text=True, timeout=240)
            self.assertEqual(done.returncode, 0, "%s: once: %s%s" % (name, done.stdout,
                                                                    done.stderr))
            data_keys = {key for keys in report.manifest_data_keys().values() for key in keys}
            gets = [entry for entry in aws.log()
                    if entry["operation"] == "GetObject" and entry.get("key") in data_keys]
        counts = read_counts(counts_file)
        shown = subprocess.run([BINARY, "report", "--config", config, "--format", "csv"],
                               capture_output=True, text=True, timeout=120)
        self.assertEqual(shown.returncode, 0, shown.stderr)
        self.assertEqual(shown.stdout, reference([data]), "%s: the report is not the reference's"
                         % name)
        return counts, len(gets)

    def test_once_allocates_nothing_per_request(self):
        from report_bucket import recent_periods
        # A recent month (recheck_days reaches it) of at least the sample's 30 days.
        period = [p for p in recent_periods(3) if not p.endswith("-02")][-1]
        work = os.path.join(WORK, "once")
        shutil.rmtree(work, ignore_errors=True)
        os.makedirs(work)
        small, small_gets = self.counted_once(work, "small", 2, period)
        large, large_gets = self.counted_once(work, "large", 16, period)
        print("once, 2 copies: %d ranged GETs, %s" % (small_gets, small))
        print("once, 16 copies: %d ranged GETs, %s" % (large_gets, large))
        self.assertGreaterEqual(large_gets, small_gets + 8, "the deliveries did not differ in GETs")
        self.assertGreater(small["allocations"], 0)
        self.assertEqual(small["allocations"], large["allocations"],
                         "allocating calls differ between %d and %d GETs" % (small_gets, large_gets))


if __name__ == "__main__":
    unittest.main()

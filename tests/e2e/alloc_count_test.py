#!/usr/bin/env python3
"""tests/e2e/alloc_count_test.py - The ingest makes no heap allocation that grows with its input.

edgecur_alloc_count is edgecur with every malloc, calloc, realloc and aligned allocation counted
(bench/alloc_count.c, linked with --wrap; built by the x86_64 firmware preset). It ingests two
deliveries made from the bundled legacy sample: 2 copies and 16 copies of its rows, each copy under
other usage accounts so that the hourly keys grow with the copies, gzip-compressed, with
[ingest] table_keys = 256 so that the in-memory table spills to the store many times mid-file.
Whatever the ingest allocates, it allocates at start-up: the count must be the same for both.

Environment: EDGECUR_ALLOC_BIN (the binary), EC_SAMPLE (the legacy sample CSV), EC_WORK_DIR.
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


def delivery(copies, path):
    """Writes `copies` copies of the sample's rows, copy j under accounts shifted by j, gzipped."""
    with open(SAMPLE, newline="") as source:
        rows = list(csv.reader(source))
    header, body = rows[0], rows[1:]
    account = header.index("lineItem/UsageAccountId")
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(header)
    for copy in range(copies):
        for row in body:
            row = list(row)
            row[account] = "%012d" % ((int(row[account]) + copy * 1_000_003) % 10**12)
            writer.writerow(row)
    with gzip.open(path, "wt", newline="") as out:
        out.write(text.getvalue())


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


if __name__ == "__main__":
    unittest.main()

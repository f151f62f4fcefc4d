# tests/e2e/golden_test.py - edgecur's report equals the arbitrary-precision reference, to the digit.
import gzip
import os
import shutil
import unittest

from e2e_support import SHARED, WorkDirTest, edgecur, generate, reference, report


class RealSamples(WorkDirTest):
    """The real anonymised legacy CUR and koku's fixtures, each a delivery of its own."""

    def check(self, files, name):
        store = self.path(name + ".db")
        edgecur("ingest", "--store", store, *files)
        for by in ("hour", "day", "month"):
            self.assertReportEqual(report(store, by=by), reference(files, by=by), f"{name} by {by}")

    def test_legacy_real_sample(self):
        sample = os.path.join(SHARED, "legacy-real", "sample-anonymous-aws-export-dataset.csv")
        self.check([sample], "legacy-real")
        # The sample's own figures: 1,281 line items in one billing period, 2023-11.
        lines = report(self.path("legacy-real.db"), by="month").splitlines()
        self.assertEqual(lines[0].split(",")[0], "billing_period")
        self.assertEqual(sum(int(line.split(",")[-1]) for line in lines[1:]), 1281)
        self.assertTrue(all(line.startswith("2023-11,") for line in lines[1:]))

    def test_legacy_real_sample_gzipped(self):
        sample = os.path.join(SHARED, "legacy-real", "sample-anonymous-aws-export-dataset.csv")
        packed = self.path("sample.csv.gz")
        with open(sample, "rb") as source, gzip.open(packed, "wb") as target:
            shutil.copyfileobj(source, target)
        self.check([packed], "legacy-real-gz")

    def test_koku_fixtures(self):
        for name in ("2022-07-01-alt-columns.csv", "2023-06-01.csv"):
            with self.subTest(name=name):
                self.check([os.path.join(SHARED, "koku", name)], name)

    def test_koku_fixture_whose_every_row_is_malformed_is_rejected(self):
        # koku's test_cur.csv: every data row has the wrong number of columns (the reference
        # keeps none either). A file of nothing but malformed rows is rejected whatever
        # [ingest] max_malformed says, so it cannot empty a month.
        path = os.path.join(SHARED, "koku", "test_cur.csv")
        self.assertEqual(reference([path]).splitlines()[1:], [])
        store = self.path("test_cur.db")
        result = edgecur("ingest", "--store", store, path, check=False)
        self.assertEqual(result.returncode, 3, result.stderr)
        self.assertIn("cur: too many malformed rows in this file", result.stderr)
        self.assertIn(f"  {path}:2: csv: wrong number of columns\n", result.stderr)


class GeneratedReports(WorkDirTest):
    """Generated files of every shape and encoding, several files and periods in one delivery."""

    def test_legacy_gzip(self):
        files = [generate(self.path("a.csv.gz"), rows=20000, seed=11)]
        store = self.path("s.db")
        edgecur("ingest", "--store", store, *files)
        for by in ("hour", "day", "month"):
            self.assertReportEqual(report(store, by=by), reference(files, by=by), by)

    def test_cur2_zip_and_plain_multi_period(self):
        files = [
            generate(self.path("c1.zip"), shape="cur2", rows=5000, seed=3, period="2024-01",
                     encoding="--zip"),
            generate(self.path("c2.csv"), shape="cur2", rows=5000, seed=4, period="2024-02",
                     encoding="--plain"),
            generate(self.path("l3.csv.gz"), shape="legacy", rows=5000, seed=5, period="2024-02",
                     encoding="--gzip", extra=("--members", "3")),
        ]
        store = self.path("s.db")
        edgecur("ingest", "--store", store, *files)
        self.assertReportEqual(report(store), reference(files), "hourly")
        self.assertReportEqual(report(store, by="month"), reference(files, by="month"), "monthly")

    def test_many_keys_spill_through_the_store(self):
        # 400 accounts x 744 hours cannot fit the in-memory table: partial sums spill and merge.
        files = [generate(self.path("wide.csv.gz"), rows=60000, seed=9,
                          extra=("--accounts", "400"))]
        store = self.path("s.db")
        config = self.path("small.ini")
        with open(config, "w") as out:
            out.write("[ingest]\ntable_keys = 1024\n")
        edgecur("ingest", "--config", config, "--store", store, *files)
        self.assertReportEqual(report(store), reference(files), "after spills")


if __name__ == "__main__":
    unittest.main()

# tests/e2e/delivery_test.py - Deliveries replace periods; bad input and crashes never lose data.
import fcntl
import os
import random
import shutil
import signal
import sqlite3
import stat
import subprocess
import sys
import time
import unittest

from e2e_support import BIN, WorkDirTest, edgecur, generate, reference, report, restore, run


class Restatement(WorkDirTest):

    def test_second_delivery_replaces_the_period_and_repeating_it_changes_nothing(self):
        march_v1 = generate(self.path("m1.csv.gz"), rows=3000, seed=21, period="2024-03")
        march_v2 = generate(self.path("m2.csv.gz"), rows=3500, seed=22, period="2024-03")
        april = generate(self.path("a.csv.gz"), rows=2000, seed=23, period="2024-04")
        store = self.path("s.db")
        edgecur("ingest", "--store", store, march_v1, april)
        first = edgecur("ingest", "--store", store, march_v2)
        self.assertIn("2024-03: replaced", first.stdout)
        self.assertNotIn("2024-04", first.stdout)  # April was not in this delivery
        expected = reference(None, deliveries=[[march_v1, april], [march_v2]])
        self.assertReportEqual(report(store), expected, "after the restatement")
        # March alone equals delivery 2 alone.
        march_only = [line for line in report(store).splitlines() if line.startswith("2024-03")]
        self.assertEqual(march_only, reference([march_v2]).splitlines()[1:])

        status_before = edgecur("status", "--store", store).stdout
        time.sleep(1.1)  # a rewrite would show a later ingested_at
        again = edgecur("ingest", "--store", store, march_v2)
        self.assertIn("2024-03: unchanged", again.stdout)
        self.assertReportEqual(report(store), expected, "after repeating delivery 2")
        self.assertEqual(edgecur("status", "--store", store).stdout, status_before,
                         "the delivery records changed")

    def test_status_names_the_delivery_each_period_holds(self):
        march = generate(self.path("m.csv.gz"), rows=500, seed=31, period="2024-03")
        store = self.path("s.db")
        edgecur("ingest", "--store", store, march)
        status = edgecur("status", "--store", store).stdout
        self.assertIn("2024-03", status)
        self.assertIn("m.csv.gz", status)


class BadInput(WorkDirTest):

    def test_truncated_gzip_fails_with_the_offset_and_leaves_the_store_as_it_was(self):
        good = generate(self.path("good.csv.gz"), rows=2000, seed=41, period="2024-03")
        store = self.path("s.db")
        edgecur("ingest", "--store", store, good)
        before = report(store)
        with open(generate(self.path("new.csv.gz"), rows=2000, seed=42, period="2024-03"),
                  "rb") as source:
            data = source.read()
        cut = self.path("cut.csv.gz")
        with open(cut, "wb") as out:
            out.write(data[: len(data) // 2])
        result = edgecur("ingest", "--store", store, cut, check=False)
        self.assertEqual(result.returncode, 3, result.stderr)
        self.assertIn("cut.csv.gz", result.stderr)
        self.assertIn("at byte", result.stderr)
        self.assertIn("store is unchanged", result.stderr)
        self.assertEqual(report(store), before)

    def test_corrupt_gzip_fails_with_the_offset(self):
        with open(generate(self.path("x.csv.gz"), rows=3000, seed=43), "rb") as source:
            data = bytearray(source.read())
        middle = len(data) // 2
        for i in range(middle, middle + 64):
            data[i] ^= 0x5A
        bad = self.path("bad.csv.gz")
        with open(bad, "wb") as out:
            out.write(bytes(data))
        result = edgecur("ingest", "--store", self.path("s.db"), bad, check=False)
        self.assertEqual(result.returncode, 3, result.stderr)
        self.assertRegex(result.stderr, r"bad\.csv\.gz: gzip: .*\(at byte \d+\)")

    def write_csv_with_bad_rows(self):
        path = self.path("bad-rows.csv")
        header = ("bill/PayerAccountId,bill/BillingPeriodStartDate,lineItem/UsageAccountId,"
                  "lineItem/LineItemType,lineItem/UsageStartDate,lineItem/CurrencyCode,"
                  "lineItem/UnblendedCost\n")
        rows = [
            "111122223333,2024-03-01T00:00:00Z,000011112222,Usage,2024-03-01T05:10:00Z,USD,1.25\n",
            "111122223333,2024-03-01T00:00:00Z,0000x1112222,Usage,2024-03-01T05:10:00Z,USD,1.25\n",
            "111122223333,2024-03-01T00:00:00Z,000011112222,Usage,2024-03-01T05:10:00Z,USD,1,25\n",
            "111122223333,2024-03-01T00:00:00Z,000011112222,Usage,2024-03-01T05:10:00Z,USD,2E-3\n",
        ]
        with open(path, "w") as out:
            out.write(header + "".join(rows))
        return path

    def write_config(self, text):
        config = self.path("edgecur.ini")
        with open(config, "w") as out:
            out.write(text)
        os.chmod(config, 0o600)
        return config

    def test_malformed_rows_are_skipped_counted_and_located(self):
        path = self.write_csv_with_bad_rows()
        store = self.path("s.db")
        # 2 bad rows of 4: over the default 1%, so allow them here.
        config = self.write_config("[ingest]\nmax_malformed = 50%\n")
        result = edgecur("ingest", "--config", config, "--store", store, path)
        self.assertIn("malformed rows skipped: 2", result.stdout)
        self.assertIn("bad-rows.csv:3: cur: usage account id is not 1-19 digits", result.stdout)
        self.assertIn("bad-rows.csv:4: csv: wrong number of columns", result.stdout)
        self.assertReportEqual(report(store), reference([path]), "skip policy")

    def test_too_many_malformed_rows_reject_the_delivery_and_keep_the_month(self):
        # A format change by AWS: every usage start unreadable. Before max_malformed this printed
        # "2026-11: replaced (... 0 line items, 5,000 malformed rows skipped)" and emptied the
        # month with exit 0.
        good = generate(self.path("good.csv.gz"), rows=3000, seed=91, period="2024-03")
        store = self.path("s.db")
        edgecur("ingest", "--store", store, good)
        before = report(store)
        header = ("bill/PayerAccountId,bill/BillingPeriodStartDate,lineItem/UsageAccountId,"
                  "lineItem/LineItemType,lineItem/UsageStartDate,lineItem/CurrencyCode,"
                  "lineItem/UnblendedCost\n")
        bad = self.path("changed-format.csv")
        with open(bad, "w") as out:
            out.write(header)
            for i in range(5000):
                out.write("111122223333,2024-03-01T00:00:00Z,000011112222,Usage,"
                          f"03/01/2024 {i % 24:02d}:00,USD,1.25\n")
        for config in (None, self.write_config("[ingest]\nmax_malformed = 100%\n")):
            args = ["ingest", "--store", store, bad]
            if config:
                args[1:1] = ["--config", config]
            result = edgecur(*args, check=False)
            self.assertEqual(result.returncode, 3, result.stdout + result.stderr)
            self.assertIn(f"{bad}: cur: too many malformed rows in this file ([ingest] "
                          "max_malformed); the delivery is rejected and the store keeps its "
                          "totals", result.stderr)
            self.assertIn(f"  {bad}:2: cur: usage start is not a timestamp\n", result.stderr)
            self.assertIn(f"  {bad}:6: cur: usage start is not a timestamp\n", result.stderr)
            self.assertNotIn(f"{bad}:7:", result.stderr)  # the first five
            self.assertEqual(report(store), before)

    def test_malformed_rows_within_the_limit_are_skipped(self):
        # 1% of 3,000 is 30: 25 bad rows pass with the default, 40 do not.
        for bad_rows, code in ((25, 0), (40, 3)):
            path = self.path(f"some-bad-{bad_rows}.csv")
            header = ("bill/PayerAccountId,bill/BillingPeriodStartDate,lineItem/UsageAccountId,"
                      "lineItem/LineItemType,lineItem/UsageStartDate,lineItem/CurrencyCode,"
                      "lineItem/UnblendedCost\n")
            with open(path, "w") as out:
                out.write(header)
                for i in range(3000):
                    cost = "x" if i < bad_rows else "1.25"
                    out.write("111122223333,2024-03-01T00:00:00Z,000011112222,Usage,"
                              f"2024-03-01T{i % 24:02d}:00:00Z,USD,{cost}\n")
            store = self.path(f"s-{bad_rows}.db")
            result = edgecur("ingest", "--store", store, path, check=False)
            self.assertEqual(result.returncode, code, result.stderr)
            if code == 0:
                self.assertIn(f"malformed rows skipped: {bad_rows}", result.stdout)
                self.assertReportEqual(report(store), reference([path]), "within the limit")

    def test_fail_policy_rejects_the_delivery(self):
        path = self.write_csv_with_bad_rows()
        config = self.path("fail.ini")
        with open(config, "w") as out:
            out.write("[ingest]\nmalformed_rows = fail\n")
        store = self.path("s.db")
        result = edgecur("ingest", "--config", config, "--store", store, path, check=False)
        self.assertEqual(result.returncode, 3)
        self.assertIn("bad-rows.csv:3:", result.stderr)
        self.assertEqual(report(store).splitlines()[1:], [])

    def test_missing_required_column_is_named(self):
        path = self.path("nocur.csv")
        with open(path, "w") as out:
            out.write("bill/PayerAccountId,lineItem/UsageAccountId\n1,2\n")
        result = edgecur("ingest", "--store", self.path("s.db"), path, check=False)
        self.assertEqual(result.returncode, 3)
        self.assertIn("nocur.csv:1: cur: missing required column: bill/BillingPeriodStartDate",
                      result.stderr)


class WideAmounts(WorkDirTest):
    """An hour of monthly fees in IDR or KRW past 922,337,203.68 (the old int64 range at 1e-10)."""

    HEADER = ("bill/PayerAccountId,bill/BillingPeriodStartDate,lineItem/UsageAccountId,"
              "lineItem/LineItemType,lineItem/UsageStartDate,lineItem/CurrencyCode,"
              "lineItem/UnblendedCost\n")

    def write(self, name, rows):
        path = self.path(name)
        with open(path, "w") as out:
            out.write(self.HEADER + "".join(rows))
        return path

    def test_an_hour_past_922_million_is_stored_exactly(self):
        # Before the wide range: "store: partial sum exceeds the stored range", naming no key,
        # and the whole delivery was refused.
        path = self.write("idr.csv", [
            "111122223333,2026-11-01T00:00:00Z,000011112222,Fee,2026-11-01T00:00:00Z,IDR,"
            "600000000.123456789\n",
            "111122223333,2026-11-01T00:00:00Z,000011112222,Tax,2026-11-01T00:00:00Z,IDR,"
            "57000000000000.000000000001\n",
            "111122223333,2026-11-01T00:00:00Z,000011112222,Usage,2026-11-03T07:00:00Z,KRW,"
            "922337203.6854775808\n",
        ])
        store = self.path("s.db")
        edgecur("ingest", "--store", store, path)
        self.assertReportEqual(report(store), reference([path]), "hour")
        self.assertReportEqual(report(store, by="month"), reference([path], by="month"), "month")
        self.assertIn(",57000600000000.1234567890,", report(store))

    def test_beyond_the_range_the_delivery_fails_naming_the_key(self):
        store = self.path("s.db")
        good = generate(self.path("good.csv.gz"), rows=500, seed=5, period="2026-11")
        edgecur("ingest", "--store", store, good)
        before = report(store)
        path = self.write("huge.csv", [
            "111122223333,2026-11-01T00:00:00Z,000011112222,Fee,2026-11-01T00:00:00Z,IDR,"
            "93000000000000000000\n",
        ])
        result = edgecur("ingest", "--store", store, path, check=False)
        self.assertEqual(result.returncode, 3, result.stdout + result.stderr)
        self.assertIn("store: partial sum exceeds the stored range", result.stderr)
        self.assertIn("the amount out of range is in billing period 2026-11, payer 111122223333, "
                      "account 000011112222, hour 2026-11-01T00:00:00Z, currency IDR", result.stderr)
        self.assertEqual(report(store), before)


class Crash(WorkDirTest):
    """kill -9 at random moments of an ingest: the store shows the old totals or the new ones,
    never a mix, and a rerun completes. 100 kills by default, on a small file so that CI can
    afford them (about a minute); bench/crash.sh runs the long variant (EC_CRASH_ROWS,
    EC_CRASH_KILLS, EC_CRASH_SEED)."""

    def test_kill_at_random_moments_then_complete(self):
        rows = int(os.environ.get("EC_CRASH_ROWS", "30000"))
        base = generate(self.path("v1.csv.gz"), rows=rows // 3, seed=51, period="2024-05")
        new = generate(self.path("v2.csv.gz"), rows=rows, seed=52, period="2024-05",
                       extra=("--accounts", "300"))
        store = self.path("s.db")
        config = self.path("spill.ini")
        with open(config, "w") as out:  # a small table so the kill also lands inside spills
            out.write("[ingest]\ntable_keys = 1024\n")
        edgecur("ingest", "--store", store, base)
        snapshot = self.path("snapshot.db")
        shutil.copyfile(store, snapshot)
        before = report(store)
        self.assertReportEqual(before, reference([base]), "baseline")
        after = reference([new])

        # How long a full run takes, to spread the kills over it.
        started = time.monotonic()
        scratch = self.path("timing.db")
        edgecur("ingest", "--config", config, "--store", scratch, new)
        duration = time.monotonic() - started
        randomizer = random.Random(int(os.environ.get("EC_CRASH_SEED", "1234")))
        kills = int(os.environ.get("EC_CRASH_KILLS", "100"))
        killed = 0
        outcomes = {"before": 0, "after": 0}
        for attempt in range(kills):
            started = time.monotonic()
            process = subprocess.Popen([BIN, "ingest", "--config", config, "--store", store, new],
                                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            time.sleep(randomizer.uniform(0.0, 1.0) * duration)
            if process.poll() is None:
                process.send_signal(signal.SIGKILL)
                killed += 1
            process.wait()
            if process.returncode == 0:
                # A run faster than the timing run (a shared machine's load changes): spread the
                # next kills over the fastest run seen.
                duration = min(duration, time.monotonic() - started)
            now = report(store)
            if process.returncode == -signal.SIGKILL:
                self.assertIn(now, (before, after), f"kill {attempt}: a mix")
                outcomes["before" if now == before else "after"] += 1
            else:
                self.assertReportEqual(now, after, f"run {attempt} completed")
            restore(snapshot, store)
        self.assertGreater(killed, kills // 2, "most runs should have been killed mid-way")
        # A rerun after a kill completes (the store as the last kill left it).
        process = subprocess.Popen([BIN, "ingest", "--config", config, "--store", store, new],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(duration / 2)
        process.kill()
        process.wait()
        edgecur("ingest", "--config", config, "--store", store, new)
        self.assertReportEqual(report(store), after, "rerun after the crashes")
        self.assertFalse(os.path.exists(store + "-staging"))
        print(f"\n[ measured ] ingest: {killed} kills of {kills} runs ({outcomes['before']} left "
              f"the old totals, {outcomes['after']} the new), a full run {duration:.2f} s",
              file=sys.stderr)


class TwoWriters(WorkDirTest):
    """One writer per store (issue 11, A1): cron and a manual run at once must neither lose nor
    double a cost. Before the writer lock, two ingests of one 20k-row file left 114,950.73 USD and
    7,541 line items where 267,596.22 and 20,000 were right."""

    def setUp(self):
        super().setUp()
        self.file = generate(self.path("a.csv.gz"), rows=20000, seed=71, period="2024-05",
                             extra=("--accounts", "4"))
        self.store = self.path("s.db")
        self.expected = reference([self.file])

    def config(self, lock_wait):
        path = self.path("edgecur.ini")
        with open(path, "w") as out:
            out.write(f"[store]\npath = {self.store}\nlock_wait = {lock_wait}\n")
        os.chmod(path, 0o600)
        return path

    def hold_lock(self, record):
        """Takes the store's writer lock as another writer would, with its record in the file."""
        descriptor = os.open(self.store + ".lock", os.O_RDWR | os.O_CREAT, 0o600)
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        os.ftruncate(descriptor, 0)
        os.write(descriptor, record.encode() + b"\n")
        return descriptor

    def test_a_second_writer_exits_7_naming_the_holder_and_changes_nothing(self):
        edgecur("ingest", "--store", self.store, self.file)
        before = report(self.store)
        holder = self.hold_lock("pid 4242 since 2026-12-07T14:00:00Z: edgecur once --config x.ini")
        try:
            other = generate(self.path("b.csv.gz"), rows=500, seed=72, period="2024-05")
            started = time.monotonic()
            result = edgecur("ingest", "--store", self.store, other, check=False)
            self.assertLess(time.monotonic() - started, 5)
            self.assertEqual(result.returncode, 7, result.stderr)
            self.assertEqual(result.stderr,
                             f"edgecur: store {self.store}: another edgecur is writing it (pid 4242 "
                             "since 2026-12-07T14:00:00Z: edgecur once --config x.ini); waited "
                             "0.0 s ([store] lock_wait); nothing was read or written, run again "
                             "later\n")
            # Readers do not wait for the writer.
            self.assertEqual(report(self.store), before)
            self.assertIn("2024-05", edgecur("status", "--store", self.store).stdout)
        finally:
            os.close(holder)
        self.assertEqual(report(self.store), self.expected)
        self.assertEqual(stat.S_IMODE(os.stat(self.store + ".lock").st_mode), 0o600)

    def test_a_writer_waits_up_to_lock_wait_then_runs(self):
        holder = self.hold_lock("pid 1 since 2026-12-07T14:00:00Z: edgecur ingest")
        process = subprocess.Popen([BIN, "ingest", "--config", self.config("30s"), self.file],
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        time.sleep(1.0)
        self.assertIsNone(process.poll(), "it did not wait for the lock")
        self.assertFalse(os.path.exists(self.store), "it opened the store before the lock")
        os.close(holder)
        out, err = process.communicate(timeout=120)
        self.assertEqual(process.returncode, 0, err)
        self.assertReportEqual(report(self.store), self.expected, "after waiting")

    def test_a_writer_gives_up_after_lock_wait(self):
        holder = self.hold_lock("pid 1 since 2026-12-07T14:00:00Z: edgecur ingest")
        try:
            started = time.monotonic()
            result = edgecur("ingest", "--config", self.config("1500ms"), self.file, check=False)
            waited = time.monotonic() - started
        finally:
            os.close(holder)
        self.assertEqual(result.returncode, 7, result.stderr)
        self.assertGreaterEqual(waited, 1.4)
        self.assertIn("waited 1.5 s ([store] lock_wait)", result.stderr)
        self.assertFalse(os.path.exists(self.store))

    def test_two_real_ingests_at_once_count_every_cost_once(self):
        # Both start together; whichever is second waits, then finds the same delivery.
        config = self.config("120s")
        processes = [subprocess.Popen([BIN, "ingest", "--config", config, self.file],
                                      stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                     for _ in range(2)]
        outputs = [process.communicate(timeout=300) for process in processes]
        for process, (out, err) in zip(processes, outputs):
            self.assertEqual(process.returncode, 0, err)
        self.assertReportEqual(report(self.store), self.expected, "two writers")
        said = "".join(out for out, _ in outputs)
        self.assertEqual(said.count("2024-05: added"), 1, said)
        self.assertEqual(said.count("2024-05: unchanged"), 1, said)


class PrivateStore(WorkDirTest):
    """The store holds per-account costs and account names (issue 11, A9): a writer creates its
    folder 0700 and its files 0600, whatever the umask, and a fresh device's missing folder is
    created instead of failing with "database file not found"."""

    def test_missing_folder_and_store_are_created_private(self):
        sample = generate(self.path("a.csv.gz"), rows=2000, seed=81, period="2024-06")
        store = self.path(os.path.join("var", "lib", "edgecur", "edgecur.db"))
        previous = os.umask(0o022)
        try:
            edgecur("ingest", "--store", store, sample)
            # A reader holds the store open, so SQLite keeps the -wal and -shm files while the
            # second writer runs: their modes are SQLite's choice, from the database file's.
            reader = sqlite3.connect(f"file:{store}?mode=ro", uri=True)
            try:
                reader.execute("SELECT count(*) FROM hourly").fetchone()
                edgecur("ingest", "--store", store,
                        generate(self.path("b.csv.gz"), rows=2000, seed=82, period="2024-06"))
                modes = {name: stat.S_IMODE(os.stat(store + name).st_mode)
                         for name in ("", "-wal", "-shm", ".lock") if os.path.exists(store + name)}
            finally:
                reader.close()
        finally:
            os.umask(previous)
        self.assertEqual(modes, {"": 0o600, "-wal": 0o600, "-shm": 0o600, ".lock": 0o600})
        for folder in ("var", os.path.join("var", "lib"), os.path.join("var", "lib", "edgecur")):
            self.assertEqual(stat.S_IMODE(os.stat(self.path(folder)).st_mode), 0o700, folder)
        self.assertIn("2024-06", edgecur("status", "--store", store).stdout)

    def test_an_existing_store_keeps_its_mode(self):
        sample = generate(self.path("a.csv.gz"), rows=500, seed=83, period="2024-06")
        store = self.path("shared.db")
        edgecur("ingest", "--store", store, sample)
        os.chmod(store, 0o640)  # a technician shared it with a group on purpose
        edgecur("ingest", "--store", store, sample)
        self.assertEqual(stat.S_IMODE(os.stat(store).st_mode), 0o640)


class ReadOnlyStore(WorkDirTest):
    """Issue 11, A11: on a read-only mount, or as a user who may read the store but not write its
    folder, `report` and `status` failed ("cannot set journal mode" / "cannot apply connection
    setting"). Readers open the store read-only, and never create a file beside it."""

    def setUp(self):
        super().setUp()
        self.folder = self.path("store")
        os.mkdir(self.folder)
        self.store = os.path.join(self.folder, "edgecur.db")
        sample = generate(self.path("a.csv.gz"), rows=1500, seed=83, period="2024-07")
        edgecur("ingest", "--store", self.store, sample)
        self.expected = reference([sample])
        self.assertReportEqual(report(self.store), self.expected, "as the writer")

    def reader_commands(self):
        return [[BIN, "report", "--store", self.store, "--format", "csv"],
                [BIN, "status", "--store", self.store]]

    def test_a_user_who_cannot_write_the_folder_reads_it(self):
        if os.geteuid() != 0 or not shutil.which("setpriv"):
            self.skipTest("needs root to run the reader as another user")
        os.chmod(self.dir, 0o755)
        os.chmod(self.folder, 0o755)  # others may list it but not write it
        os.chmod(self.store, 0o644)
        before = sorted(os.listdir(self.folder))
        as_nobody = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
        csv, status = (run(as_nobody + command, check=False) for command in self.reader_commands())
        self.assertEqual(csv.returncode, 0, csv.stderr)
        self.assertReportEqual(csv.stdout, self.expected, "as a user who cannot write the folder")
        self.assertEqual(status.returncode, 0, status.stderr)
        self.assertIn("2024-07", status.stdout)
        self.assertEqual(sorted(os.listdir(self.folder)), before)

    def test_a_read_only_mount_is_read(self):
        if os.geteuid() != 0 or not shutil.which("unshare"):
            self.skipTest("needs root to mount")
        probe = run(["unshare", "-m", "true"], check=False)
        if probe.returncode != 0:
            self.skipTest("no mount namespace: " + probe.stderr.strip())
        script = (f"{{ mount --bind {self.folder} {self.folder} && "
                  f"mount -o remount,bind,ro {self.folder}; }} || exit 90; "
                  f"! touch {self.folder}/probe 2>/dev/null && "
                  f"{BIN} report --store {self.store} --format csv && "
                  f"echo ===STATUS=== && {BIN} status --store {self.store}")
        result = run(["unshare", "-m", "sh", "-c", script], check=False)
        if result.returncode == 90:
            self.skipTest("cannot bind-mount read-only here: " + result.stderr.strip())
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        csv, _, status = result.stdout.partition("===STATUS===\n")
        self.assertReportEqual(csv, self.expected, "on a read-only mount")
        self.assertIn("2024-07", status)

    def test_commits_only_in_the_wal_are_read_or_named_without_write_access(self):
        if os.geteuid() != 0 or not shutil.which("setpriv"):
            self.skipTest("needs root to run the reader as another user")
        # A writer that lost power with its last commit only in the WAL: copies of the folder
        # taken while it held the store open, one without the WAL index (-shm). SQLite can read
        # the WAL without write access only through an existing -shm: with it the commit is
        # read, without it the reader says why and what to do (never the older file's totals).
        folders = {"with-shm": ("edgecur.db", "edgecur.db-wal", "edgecur.db-shm"),
                   "without-shm": ("edgecur.db", "edgecur.db-wal")}
        holder = sqlite3.connect(self.store)
        try:
            holder.execute("PRAGMA wal_autocheckpoint=0")
            holder.execute("UPDATE deliveries SET source = 'changed-in-the-wal'")
            holder.commit()
            for folder, names in folders.items():
                os.mkdir(self.path(folder))
                for name in names:
                    shutil.copy(os.path.join(self.folder, name), self.path(os.path.join(folder, name)))
        finally:
            holder.close()
        os.chmod(self.dir, 0o755)
        results = {}
        for folder, names in folders.items():
            os.chmod(self.path(folder), 0o755)
            for name in names:
                os.chmod(self.path(os.path.join(folder, name)), 0o644)
            self.assertGreater(os.path.getsize(self.path(os.path.join(folder, "edgecur.db-wal"))), 0)
            results[folder] = run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                                   BIN, "status", "--store",
                                   self.path(os.path.join(folder, "edgecur.db"))], check=False)
        with_shm, without_shm = results["with-shm"], results["without-shm"]
        self.assertEqual(with_shm.returncode, 0, with_shm.stderr)
        self.assertIn("changed-in-the-wal", with_shm.stdout)
        self.assertEqual(without_shm.returncode, 4, without_shm.stdout)
        self.assertIn("store: cannot read it without write access to its folder while its -wal "
                      "file holds commits (let a writer such as edgecur once finish there first)",
                      without_shm.stderr)


class DiskFull(WorkDirTest):
    """Issue 11, A10 and B: a store on a full disk. The delivery fails with a plain message, the
    store keeps its totals and gives the failed delivery's space back (before: 22,016 staged rows
    and a 1 MB WAL stayed, the file system at 100%), and a rerun succeeds once space is back. The
    store lives on a 1 MiB tmpfs in a private mount namespace."""

    def test_a_full_disk_fails_plainly_keeps_the_store_and_gives_the_space_back(self):
        if os.geteuid() != 0 or not shutil.which("unshare"):
            self.skipTest("needs root to mount a tmpfs")
        probe = run(["unshare", "-m", "true"], check=False)
        if probe.returncode != 0:
            self.skipTest("no mount namespace: " + probe.stderr.strip())
        small = generate(self.path("small.csv.gz"), rows=400, seed=84, period="2024-08")
        big = generate(self.path("big.csv.gz"), rows=40000, seed=85, period="2024-08",
                       extra=("--accounts", "60"))
        config = self.path("edgecur.ini")
        with open(config, "w") as out:
            out.write("[ingest]\ntable_keys = 256\n")  # spill often: staging outgrows the disk
        os.chmod(config, 0o600)
        disk = self.path("disk")
        os.mkdir(disk)
        store = os.path.join(disk, "edgecur.db")
        out = self.path
        size = f"cat {store} {store}-wal 2>/dev/null | wc -c"
        script = f"""
set -u
mount -t tmpfs -o size=1m,mode=0700 tmpfs {disk} || exit 90
{BIN} ingest --config {config} --store {store} {small} > {out('1.out')} 2>&1 || exit 91
{BIN} report --store {store} --format csv > {out('before.csv')} || exit 92
{size} > {out('size-before')}
{BIN} ingest --config {config} --store {store} {big} > {out('2.out')} 2>&1
echo $? > {out('2.rc')}
{size} > {out('size-after')}
{BIN} report --store {store} --format csv > {out('after-failure.csv')} || exit 93
{sys.executable} -c "import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute('PRAGMA integrity_check').fetchone()[0])" {store} > {out('integrity')}
mount -o remount,size=64m {disk} || exit 94
{BIN} ingest --config {config} --store {store} {big} > {out('3.out')} 2>&1
echo $? > {out('3.rc')}
{BIN} report --store {store} --format csv > {out('after-rerun.csv')} || exit 95
"""
        result = run(["unshare", "-m", "bash", "-c", script], check=False)
        if result.returncode == 90:
            self.skipTest("cannot mount a tmpfs here: " + result.stderr.strip())
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)

        def read(name):
            with open(out(name)) as handle:
                return handle.read()
        self.assertEqual(read("2.rc").strip(), "4", read("2.out"))
        self.assertIn("store: the disk holding the store is full: free space, or move [store] "
                      "path; the store keeps what it had", read("2.out"))
        self.assertNotIn("sqlite 13]:", read("2.out"))
        self.assertEqual(read("integrity").strip(), "ok")
        self.assertReportEqual(read("after-failure.csv"), read("before.csv"), "after the failure")
        self.assertReportEqual(read("before.csv"), reference([small]), "before")
        before, after = int(read("size-before")), int(read("size-after"))
        self.assertLessEqual(after, before * 1.1, f"store {before} bytes before, {after} after")
        self.assertEqual(read("3.rc").strip(), "0", read("3.out"))
        self.assertReportEqual(read("after-rerun.csv"), reference([big]), "after the rerun")



class DamagedStore(WorkDirTest):
    """Issue 11, B: a store that fails SQLite's quick_check at a writer's open is never written
    into: it is moved aside with a timestamped name, and a new one is built (ingest here; `once`
    reads every period again since the new store holds no delivery)."""

    def damage(self, store, how):
        with sqlite3.connect(store) as db:
            root = db.execute("SELECT rootpage FROM sqlite_master WHERE name = 'hourly'").fetchone()[0]
            page = db.execute("PRAGMA page_size").fetchone()[0]
        with open(store, "r+b") as handle:
            if how == "header":
                handle.write(b"not a database at all")
            else:  # the hourly table's root page: the schema reads, the table does not
                handle.seek((root - 1) * page)
                handle.write(bytes(random.Random(7).randrange(256) for _ in range(page)))

    def test_a_damaged_store_is_moved_aside_and_rebuilt(self):
        old = generate(self.path("old.csv.gz"), rows=1500, seed=86, period="2024-09")
        new = generate(self.path("new.csv.gz"), rows=1500, seed=87, period="2024-10")
        for how in ("root-page", "header"):
            folder = self.path(how)
            os.mkdir(folder)
            store = os.path.join(folder, "edgecur.db")
            edgecur("ingest", "--store", store, old)
            self.damage(store, how)
            readers = edgecur("report", "--store", store, check=False)
            self.assertNotEqual(readers.returncode, 0, f"{how}: a reader read a damaged store")
            result = edgecur("ingest", "--store", store, new, check=False)
            self.assertEqual(result.returncode, 0, result.stderr)
            moved = [name for name in os.listdir(folder) if ".damaged-" in name
                     and not name.endswith(("-wal", "-shm"))]  # SQLite's, moved with it
            self.assertEqual(len(moved), 1, f"{how}: {os.listdir(folder)}")
            self.assertRegex(moved[0], r"^edgecur\.db\.damaged-\d{8}T\d{6}Z$")
            self.assertIn(f"store {store}: store: ", result.stderr)
            self.assertIn(f"; moved aside to {store}.damaged-", result.stderr)
            self.assertIn("and starting a new store", result.stderr)
            self.assertReportEqual(report(store), reference([new]), f"{how}: the new store")
            with open(os.path.join(folder, moved[0]), "rb") as handle:
                self.assertEqual(len(handle.read()) > 0, True)
            self.assertEqual(stat.S_IMODE(os.stat(store).st_mode), 0o600)

    def test_a_file_that_is_not_a_store_is_refused_not_moved(self):
        store = self.path("other.db")
        with sqlite3.connect(store) as db:
            db.execute("CREATE TABLE somebody_elses(x)")
        result = edgecur("ingest", "--store", store,
                         generate(self.path("a.csv.gz"), rows=100, seed=88, period="2024-09"),
                         check=False)
        self.assertEqual(result.returncode, 4, result.stderr)
        self.assertIn("store: file is not an edgecur store", result.stderr)
        self.assertEqual([n for n in os.listdir(self.dir) if ".damaged-" in n], [])

    def test_the_staging_file_is_private(self):
        # SQLite creates the per-delivery staging file itself: the writer's umask keeps it 0600.
        big = generate(self.path("big.csv.gz"), rows=60000, seed=89, period="2024-09",
                       extra=("--accounts", "200"))
        config = self.path("spill.ini")
        with open(config, "w") as out:
            out.write("[ingest]\ntable_keys = 256\n")
        os.chmod(config, 0o600)
        store = self.path("s.db")
        previous = os.umask(0o022)
        try:
            process = subprocess.Popen([BIN, "ingest", "--config", config, "--store", store, big],
                                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            mode = None
            deadline = time.monotonic() + 60
            while mode is None and process.poll() is None and time.monotonic() < deadline:
                try:
                    mode = stat.S_IMODE(os.stat(store + "-staging").st_mode)
                except FileNotFoundError:
                    time.sleep(0.005)
            process.communicate(timeout=120)
        finally:
            os.umask(previous)
        self.assertEqual(process.returncode, 0)
        self.assertEqual(mode, 0o600)
        self.assertFalse(os.path.exists(store + "-staging"))

if __name__ == "__main__":
    unittest.main()

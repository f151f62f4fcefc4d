# tests/e2e/cli_test.py - What a technician sees: config check messages, report options, usage.
import csv
import io
import json
import os
import sqlite3
import stat

from e2e_support import SHARED, WorkDirTest, edgecur, generate, reference, report

SAMPLE = os.path.join(SHARED, "legacy-real", "sample-anonymous-aws-export-dataset.csv")


class ConfigCheck(WorkDirTest):

    def write(self, name, text, mode=0o600):
        path = self.path(name)
        with open(path, "w") as out:
            out.write(text)
        os.chmod(path, mode)
        return path

    def test_example_file_is_valid(self):
        example = os.path.join(os.environ.get("EC_SOURCE_DIR", "."), "config", "edgecur.example.ini")
        result = edgecur("config", "check", example)
        self.assertEqual(result.returncode, 0)
        self.assertIn("ok", result.stdout)

    def test_bad_lines_are_named_with_file_and_line(self):
        path = self.write("bad.ini", "[ingest]\nmalformed_rows = maybe\ntable_keys = 12\n"
                                     "[stor]\npath = /x\n")
        result = edgecur("config", "check", "--config", path, check=False)
        self.assertEqual(result.returncode, 1)
        self.assertIn(f"{path}:2: config: bad value 'maybe' for 'malformed_rows' in section "
                      "[ingest]: expected one of skip, fail", result.stderr)
        self.assertIn(f"{path}:3: config:", result.stderr)
        self.assertIn("table_keys", result.stderr)
        self.assertIn(f"{path}:4: config: unknown section [stor]", result.stderr)
        self.assertIn("3 problems", result.stdout)

    def test_secret_readable_by_others_is_refused_and_never_echoed(self):
        text = ("[connection payer]\ntype = explicit\nbucket = my-cur-bucket\nregion = us-east-1\n"
                "report_name = r\n"
                "access_key_id = AKIDEXAMPLE\nsecret_access_key = wJalrXUtnFEMIK7MDENGbPxRfiCY\n")
        path = self.write("secret.ini", text, mode=0o644)
        result = edgecur("config", "check", path, check=False)
        self.assertEqual(result.returncode, 2)
        self.assertIn("chmod 600", result.stderr)
        self.assertNotIn("wJalrXUtnFEMIK7MDENGbPxRfiCY", result.stderr + result.stdout)
        # Other commands refuse to run on it too.
        ingest = edgecur("ingest", "--config", path, "--store", self.path("s.db"), SAMPLE,
                         check=False)
        self.assertEqual(ingest.returncode, 2)
        self.assertNotIn("wJalrXUtnFEMIK7MDENGbPxRfiCY", ingest.stderr + ingest.stdout)
        os.chmod(path, stat.S_IRUSR | stat.S_IWUSR)
        self.assertEqual(edgecur("config", "check", path, check=False).returncode, 0)

    def test_plain_http_endpoint_only_to_loopback_and_no_user_info(self):
        """Issue 11: `sts_endpoint = http://10.1.2.3:...` was ok, so AssumeRole's session token and
        the external ID could cross the network in clear text."""
        connection = ("[connection payer]\ntype = cur\nreport_name = r\n"
                      "role_arn = arn:aws:iam::123456789012:role/edgecur-read\n")
        path = self.write("http.ini", connection + "sts_endpoint = http://10.1.2.3:8080\n"
                                                   "s3_endpoint = https://edge:SECRETPASS@s3.lan\n")
        result = edgecur("config", "check", path, check=False)
        self.assertEqual(result.returncode, 1)
        self.assertIn(f"{path}:5: config: 'sts_endpoint' in section [connection payer] uses plain "
                      "http:// to 10.1.2.3: only loopback addresses (127.0.0.1, [::1], localhost) "
                      "may, use https://", result.stderr)
        self.assertIn(f"{path}:6: config: 's3_endpoint' in section [connection payer] holds a user "
                      "name or password (value not shown)", result.stderr)
        self.assertNotIn("SECRETPASS", result.stderr + result.stdout)
        self.assertIn("2 problems", result.stdout)
        for url in ("http://127.0.0.1:9000", "http://localhost:9000", "http://[::1]:9000"):
            path = self.write("loopback.ini", connection + f"sts_endpoint = {url}\n"
                                                           f"s3_endpoint = {url}\n"
                                                           "s3_path_style = true\n")
            ok = edgecur("config", "check", path, check=False)
            self.assertEqual(ok.returncode, 0, url + "\n" + ok.stderr)

    def test_store_path_comes_from_the_file(self):
        store = self.path("from-ini.db")
        path = self.write("store.ini", f"[store]\npath = {store}\n")
        edgecur("ingest", "--config", path, SAMPLE)
        self.assertTrue(os.path.exists(store))
        self.assertIn("2023-11", edgecur("status", "--config", path).stdout)


class ReportOptions(WorkDirTest):

    def setUp(self):
        super().setUp()
        self.files = [generate(self.path("a.csv.gz"), rows=3000, seed=61, period="2024-02",
                               extra=("--accounts", "3"))]
        self.store = self.path("s.db")
        edgecur("ingest", "--store", self.store, *self.files)
        self.hourly = reference(self.files).splitlines()

    def test_account_filter(self):
        account = self.hourly[1].split(",")[2]
        rows = report(self.store, extra=("--account", account)).splitlines()
        self.assertEqual(rows[0], self.hourly[0])
        self.assertEqual(rows[1:], [r for r in self.hourly[1:] if r.split(",")[2] == account])

    def test_time_window_is_half_open(self):
        rows = report(self.store, extra=("--from", "2024-02-10", "--to",
                                         "2024-02-11T06:00:00Z")).splitlines()
        expected = [r for r in self.hourly[1:]
                    if "2024-02-10T00:00:00Z" <= r.split(",")[3] < "2024-02-11T06:00:00Z"]
        self.assertEqual(rows[1:], expected)
        self.assertGreater(len(expected), 0)

    def test_json_is_valid_and_exact(self):
        rows = json.loads(report(self.store, fmt="json", by="month"))
        csv_rows = reference(self.files, by="month").splitlines()
        self.assertEqual(len(rows), len(csv_rows) - 1)
        first = csv_rows[1].split(",")
        self.assertEqual(rows[0]["unblended_cost"], first[5])
        self.assertEqual(rows[0]["line_items"], int(first[9]))

    def test_usage_errors(self):
        for args, text in ((("--format", "xml"), "--format must be table, csv or json"),
                           (("--by", "week"), "--by must be hour, day or month"),
                           (("--account", "12ab"), "--account must be an account id"),
                           (("--from", "yesterday"), "--from must be a UTC date")):
            result = edgecur("report", "--store", self.store, *args, check=False)
            self.assertEqual(result.returncode, 1, args)
            self.assertIn(text, result.stderr)

    def test_missing_store_is_a_store_error(self):
        result = edgecur("report", "--store", self.path("none.db"), check=False)
        self.assertEqual(result.returncode, 4)
        self.assertIn("none.db", result.stderr)


class ScopesAndNames(WorkDirTest):
    """`edgecur ingest` files are the scope "" (local files); account names come from the store."""

    def setUp(self):
        super().setUp()
        self.store = self.path("s.db")
        edgecur("ingest", "--store", self.store, SAMPLE)

    def test_status_shows_the_scope_of_each_delivery(self):
        lines = edgecur("status", "--store", self.store).stdout.splitlines()
        self.assertEqual(lines[0].split()[:2], ["period", "scope"])
        self.assertTrue(lines[1].startswith("2023-11  local files "), lines[1])

    def test_report_may_name_one_scope(self):
        everything = report(self.store)
        self.assertEqual(report(self.store, extra=("--scope", "")), everything)
        self.assertEqual(report(self.store, extra=("--scope", "payer-a")).splitlines(),
                         [everything.splitlines()[0]])

    def test_names_are_escaped_in_each_format_and_csv_keeps_its_columns(self):
        name = 'Prod, "EU"\n\x1b[31mred\u202e'
        with sqlite3.connect(self.store) as db:  # as a sync would have stored it, or worse
            db.execute("INSERT INTO account_names(account, name) SELECT id, ? FROM accounts"
                       " WHERE text = '123412340534'", (name,))
        cleaned = 'Prod, "EU"??[31mred?'
        plain = report(self.store, by="month")
        self.assertEqual(plain.splitlines()[0].split(","), reference([SAMPLE]).splitlines()[0]
                         .split(","))  # the contract: no name column unless asked
        rows = list(csv.reader(io.StringIO(report(self.store, by="month",
                                                  extra=("--csv-names",)))))
        self.assertEqual(rows[0][-1], "account_name")
        self.assertEqual(rows[1][-1], cleaned)
        self.assertEqual(rows[1][:-1], plain.splitlines()[1].split(","))
        self.assertEqual(json.loads(report(self.store, fmt="json", by="month"))[0]["account_name"],
                         cleaned)
        table = report(self.store, fmt="table", by="month")
        self.assertNotIn("\x1b", table)
        self.assertIn("  Prod, \"EU\"??[31mred?  ", table)

    def test_a_store_from_before_scopes_is_refused_with_what_to_do(self):
        with sqlite3.connect(self.store) as db:
            db.execute("UPDATE meta SET value = 1 WHERE name = 'schema_version'")
        for command in (("status",), ("report",), ("ingest", SAMPLE)):
            result = edgecur(*command, "--store", self.store, check=False)
            self.assertEqual(result.returncode, 4, command)
            self.assertIn("move it away", result.stderr)


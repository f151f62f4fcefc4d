# tests/e2e/aws_test.py - edgecur once/verify against local AWS peers: discovery, ranged reads, faults.
"""End-to-end tests of `edgecur once --config F` and `edgecur verify --config F` against the AWS
stand-in (tests/aws/standin) and s3rver, both on 127.0.0.1, over report buckets built by
report_bucket.py. Every data case compares `edgecur report --config F --format csv` with the
reference run over exactly the data files the manifests name.

    cd tests/e2e && EDGECUR_BIN=... CUR_GENERATOR=... python3 -m unittest -v aws_test
    (CTest: ctest --test-dir build/ci -R e2e_aws_test --output-on-failure)

The Rig* classes check the fixtures and peers with botocore as the client; they do not need the
`once` and `verify` commands.
"""
import base64
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
import unittest
import urllib.parse

from e2e_support import BIN, WorkDirTest, generate, reference, restore, run

import aws_peers
from aws_peers import Identity, edgecur_env, require_s3rver, s3rver, standin
from report_bucket import (Cur2Export, LegacyReport, ReportBucket, build, md5_etag, recent_periods,
                           standin_config)

from botocore.exceptions import ClientError

CHUNK = 64 * 1024
BUCKET_REGION = "eu-west-1"  # not us-east-1: the S3 signing region must come from discovery
ONCE_TIMEOUT = 300


def edgecur(*args, timeout=ONCE_TIMEOUT):
    """Runs edgecur in the peer-safe environment; returns the CompletedProcess, never raises."""
    return run([BIN, *args], check=False, env=edgecur_env(), timeout=timeout)


def describe(result):
    return "exit %d\nstdout:\n%s\nstderr:\n%s" % (result.returncode, result.stdout, result.stderr)


def armed(peer):
    """The faults still armed on the stand-in, without their (large) replacement content."""
    return [(f["type"], f.get("key"), f.get("range_first"), f.get("after_bytes"), f["count"])
            for f in peer.armed_faults()]


def range_of(entry):
    """(first, last) of a logged request's Range header, or None."""
    value = entry["headers"].get("range")
    if not value or not value.startswith("bytes="):
        return None
    first, _, last = value[len("bytes="):].partition("-")
    return int(first), (int(last) if last else None)


class AwsTest(WorkDirTest):
    """A bucket, an identity, configs and log helpers for one test."""

    def setUp(self):
        super().setUp()
        self.identity = Identity()
        self.bucket = ReportBucket(self.path("buckets"), "edgecur-cur-bucket", region=BUCKET_REGION)
        self.store = self.path("store.db")
        self.credentials = self.identity.write_credentials_file(self.path("aws-credentials"))
        self.periods = recent_periods(3)

    # -- peers and configs ---------------------------------------------------------------------
    def start_standin(self, reports=(), exports=(), **extra):
        config = standin_config(reports=reports, exports=exports, buckets=[self.bucket],
                                identity=self.identity, **extra)
        manager = standin(self.bucket.root, config)
        peer = manager.__enter__()
        self.addCleanup(manager.__exit__, None, None, None)
        return peer

    def write_config(self, connection, name="payer", store=None):
        """An INI with [store] and one [connection NAME] of `connection` (key -> value), chmod 600."""
        lines = ["[store]", "path = %s" % (store or self.store), "", "[connection %s]" % name]
        lines += ["%s = %s" % (key, value) for key, value in connection.items() if value is not None]
        path = self.path("edgecur-%s.ini" % name)
        with open(path, "w") as out:
            out.write("\n".join(lines) + "\n")
        os.chmod(path, 0o600)
        check = edgecur("config", "check", path, timeout=60)
        self.assertEqual((check.returncode, "ok (0 warnings)" in check.stdout), (0, True),
                         "the test's own INI is not clean: " + describe(check))
        return path

    def role_connection(self, peer, report, **overrides):
        """A `cur` (or `cur2` for an export) connection through the stand-in with the role."""
        connection = {"type": "cur", "role_arn": self.identity.role_arn,
                      "external_id": self.identity.external_id,
                      "credentials_file": self.credentials, "report_name": report.name,
                      "sts_endpoint": peer.url, "cur_endpoint": peer.url, "s3_endpoint": peer.url,
                      "organizations_endpoint": peer.url, "s3_path_style": "true",
                      "chunk_bytes": "64K", "retries": "5", "recheck_days": "365",
                      "connect_timeout": "5s", "low_speed_timeout": "10s", "total_timeout": "2m"}
        if isinstance(report, Cur2Export):
            connection.update(type="cur2", export_name=report.name, report_name=None,
                              cur_endpoint=None, exports_endpoint=peer.url)
        connection.update(overrides)
        return connection

    # -- running edgecur -------------------------------------------------------------------------
    def assertNoSecrets(self, result, extra=()):
        text = result.stdout + result.stderr
        for secret in list(self.identity.secrets()) + list(extra):
            self.assertNotIn(secret, text, "a secret appears in edgecur's output")

    def once(self, config, expect_ok=True):
        result = edgecur("once", "--config", config)
        self.assertNoSecrets(result)
        if expect_ok:
            self.assertEqual(result.returncode, 0, describe(result))
        return result

    def report_csv(self, config):
        result = edgecur("report", "--config", config, "--format", "csv", timeout=120)
        self.assertEqual(result.returncode, 0, describe(result))
        return result.stdout

    def status(self, config):
        result = edgecur("status", "--config", config, timeout=120)
        self.assertEqual(result.returncode, 0, describe(result))
        return result.stdout

    # -- the stand-in's log ----------------------------------------------------------------------
    @staticmethod
    def gets(log, keys=None):
        return [e for e in log if e["service"] == "s3" and e["operation"] == "GetObject"
                and (keys is None or e["key"] in keys)]

    @staticmethod
    def assume_roles(log, status=200):
        return [e for e in log if e["service"] == "sts" and e["operation"] == "AssumeRole"
                and e["status"] == status]

    def assertChunkedReads(self, log, report, chunk=CHUNK):
        """Every data file the manifests name was read in ranged GETs of at most `chunk` bytes
        whose successful answers cover it exactly; every GET of a later chunk (from byte > 0)
        carries If-Match with the file's ETag; nothing else (decoys) was read but manifests."""
        wanted = {key for keys in report.manifest_data_keys().values() for key in keys}
        read = {e["key"] for e in self.gets(log)}
        self.assertEqual(read - {k for k in read if k.endswith("-Manifest.json")}, wanted,
                         "the data GETs are not exactly the files the manifests name")
        for key in sorted(wanted):
            entries = sorted(self.gets(log, {key}), key=lambda e: e["seq"])
            size = os.path.getsize(self.bucket.path(key))
            etag = md5_etag(self.bucket.path(key))
            covered = []
            for index, entry in enumerate(entries):
                span = range_of(entry)
                self.assertIsNotNone(span, "%s: a GET without Range" % key)
                last = span[1] if span[1] is not None else size - 1
                self.assertLessEqual(last - span[0] + 1, chunk, "%s: a range over chunk_bytes" % key)
                if span[0] > 0:
                    self.assertEqual(entry["headers"].get("if-match", "").strip('"'), etag.strip('"'),
                                     "%s: GET #%d (%s) without If-Match" % (
                                         key, index + 1, entry["headers"].get("range")))
                if entry["status"] in (200, 206) and not entry["faults"]:
                    covered.append((span[0], min(last, size - 1)))
                elif entry["status"] in (200, 206) and entry["bytes_sent"] > 0:
                    # A cut read: the client resumes at the exact byte it reached.
                    covered.append((span[0], span[0] + entry["bytes_sent"] - 1))
            position = 0
            for first, last in sorted(set(covered)):
                self.assertLessEqual(first, position, "%s: bytes %d-%d never read" % (key, position, first))
                position = max(position, last + 1)
            self.assertEqual(position, size, "%s: read up to %d of %d bytes" % (key, position, size))


# ------------------------------------------------------------------------------------------------
# The rig itself, with botocore as the client (no edgecur needed)
# ------------------------------------------------------------------------------------------------


class RigStandIn(AwsTest):

    def test_botocore_discovers_lists_and_reads_the_fixture(self):
        legacy = build(LegacyReport(self.bucket, rows=400), self.periods)
        export = build(Cur2Export(self.bucket, rows=300, files_per_period=2), self.periods[1:])
        aws = self.start_standin(reports=[legacy], exports=[export])

        # The user alone may not read the bucket; the role with the external id may.
        user_s3 = aws.client("s3", self.identity.access_key, self.identity.secret_key,
                             region=BUCKET_REGION)
        with self.assertRaises(ClientError) as denied:
            user_s3.list_objects_v2(Bucket=self.bucket.name)
        self.assertEqual(denied.exception.response["Error"]["Code"], "AccessDenied")
        sts = aws.client("sts", self.identity.access_key, self.identity.secret_key)
        with self.assertRaises(ClientError) as wrong:
            sts.assume_role(RoleArn=self.identity.role_arn, RoleSessionName="x1",
                            ExternalId="wrong-external-id")
        self.assertEqual(wrong.exception.response["Error"]["Code"], "AccessDenied")

        cur = aws.role_client(self.identity, "cur")
        definitions = cur.describe_report_definitions()["ReportDefinitions"]
        self.assertEqual([(d["ReportName"], d["S3Bucket"], d["S3Prefix"], d["S3Region"])
                          for d in definitions],
                         [(legacy.name, self.bucket.name, legacy.prefix, BUCKET_REGION)])
        exports = aws.role_client(self.identity, "bcm-data-exports")
        listed = exports.list_exports()["Exports"]
        self.assertEqual([e["ExportName"] for e in listed], [export.name])
        destination = exports.get_export(ExportArn=listed[0]["ExportArn"])["Export"][
            "DestinationConfigurations"]["S3Destination"]
        self.assertEqual((destination["S3Bucket"], destination["S3Prefix"]),
                         (self.bucket.name, export.prefix))

        s3 = aws.role_client(self.identity, "s3", region=BUCKET_REGION)
        keys = []
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=self.bucket.name,
                                                                 PaginationConfig={"PageSize": 7}):
            keys += [item["Key"] for item in page.get("Contents", [])]
        self.assertEqual(keys, self.bucket.keys())

        for report in (legacy, export):
            for period, manifest in report.current_manifests().items():
                body = s3.get_object(Bucket=self.bucket.name,
                                     Key=report._top_manifest_key(period))["Body"].read()
                self.assertEqual(body, self.bucket.read(report._top_manifest_key(period)))
                data_keys = report.manifest_data_keys()[period]
                self.assertEqual(data_keys, report.current[period].keys)
                self.assertEqual(len(data_keys), report.files_per_period)
                # Decoys sit beside the delivery and are not in the manifest.
                folder_keys = [k for k in keys if period.replace("-", "") in k.replace("-", "")
                               and k.startswith(report.root_key) and k.endswith(report.extension)]
                self.assertGreater(len(folder_keys), len(data_keys))

        # A ranged read with If-Match, as edgecur does it; a stale ETag is 412.
        key = legacy.current[self.periods[0]].keys[0]
        whole = self.bucket.read(key)
        half = len(whole) // 2
        first = s3.get_object(Bucket=self.bucket.name, Key=key, Range="bytes=0-%d" % (half - 1))
        rest = s3.get_object(Bucket=self.bucket.name, Key=key, Range="bytes=%d-" % half,
                             IfMatch=first["ETag"])
        self.assertEqual(first["Body"].read() + rest["Body"].read(), whole)
        self.assertEqual(first["ETag"], md5_etag(self.bucket.path(key)))
        with self.assertRaises(ClientError) as stale:
            s3.get_object(Bucket=self.bucket.name, Key=key, Range="bytes=0-9", IfMatch='"0123"')
        self.assertEqual(stale.exception.response["Error"]["Code"], "PreconditionFailed")

        log = aws.log()
        self.assertTrue(self.assume_roles(log), "AssumeRole not in the stand-in's log")
        with_if_match = [e for e in self.gets(log, {key}) if e["headers"].get("if-match")]
        self.assertEqual(len(with_if_match), 2)

    def test_expected_report_is_the_reference_over_the_manifests_files(self):
        report = build(LegacyReport(self.bucket, rows=300, files_per_period=2), self.periods)
        expected = report.expected()
        self.assertEqual(expected.splitlines()[0].split(",")[0], "billing_period")
        self.assertEqual(sorted({line[:7] for line in expected.splitlines()[1:]}), self.periods)
        # The same as applying the periods as separate deliveries.
        by_period = [[self.bucket.path(k) for k in keys]
                     for _, keys in sorted(report.manifest_data_keys().items())]
        self.assertEqual(expected, reference(None, deliveries=by_period))
        # The decoys would change it: the old assembly folder holds data of the same period.
        everything = [self.bucket.path(k) for k in self.bucket.keys() if k.endswith(".csv.gz")]
        self.assertGreater(len(everything), len(report.data_files()))
        self.assertNotEqual(reference(everything), expected)

    def test_restatement_replaces_one_period_and_keeps_the_old_assembly(self):
        report = build(LegacyReport(self.bucket, rows=300), self.periods)
        before = report.expected()
        old = report.current[self.periods[1]]
        new = report.restate(self.periods[1], files=3, rows=400)
        self.assertNotEqual(old.delivery_id, new.delivery_id)
        manifest = report.current_manifests()[self.periods[1]]
        self.assertEqual(manifest["assemblyId"], new.delivery_id)
        self.assertEqual(len(manifest["reportKeys"]), 3)
        self.assertTrue(all("/%s/" % new.delivery_id in k for k in manifest["reportKeys"]))
        self.assertTrue(os.path.exists(self.bucket.path(old.keys[0])), "the old assembly is gone")
        after = report.expected()
        for period in (self.periods[0], self.periods[2]):
            self.assertEqual(report.period_lines(after, period), report.period_lines(before, period))
        self.assertNotEqual(report.period_lines(after, self.periods[1]),
                            report.period_lines(before, self.periods[1]))

    def test_cut_and_replace_faults_do_what_the_cases_rely_on(self):
        report = LegacyReport(self.bucket, rows=1500, files_per_period=1,
                              versioning="OVERWRITE_REPORT")
        report.deliver(self.periods[0])
        key = report.current[self.periods[0]].keys[0]
        old_bytes = self.bucket.read(key)
        aws = self.start_standin(reports=[report])
        s3 = aws.role_client(self.identity, "s3", region=BUCKET_REGION)
        # range_first aims a cut at one chunk only.
        aws.add_faults({"type": "cut", "service": "s3", "operation": "GetObject", "key": key,
                        "range_first": CHUNK, "after_bytes": 10})
        chunk0 = s3.get_object(Bucket=self.bucket.name, Key=key,
                               Range="bytes=0-%d" % (CHUNK - 1))["Body"].read()
        self.assertEqual(chunk0, old_bytes[:CHUNK])
        with self.assertRaises(Exception):
            s3.get_object(Bucket=self.bucket.name, Key=key,
                          Range="bytes=%d-%d" % (CHUNK, 2 * CHUNK - 1))["Body"].read()
        self.assertEqual(armed(aws), [])
        # A staged restatement put by a replace fault mid-read: the next If-Match GET is 412.
        new = report.restate(self.periods[0], apply=False)
        with open(new.objects[key], "rb") as handle:
            new_bytes = handle.read()
        aws.add_faults({"type": "replace", "bucket": self.bucket.name, "key": key,
                        "after_bytes": 1000,
                        "content_b64": base64.b64encode(new_bytes).decode()})
        first = s3.get_object(Bucket=self.bucket.name, Key=key, Range="bytes=0-%d" % (CHUNK - 1))
        self.assertEqual(first["Body"].read(), old_bytes[:CHUNK])  # in flight: the old bytes
        with self.assertRaises(ClientError) as replaced:
            s3.get_object(Bucket=self.bucket.name, Key=key, Range="bytes=%d-" % CHUNK,
                          IfMatch=first["ETag"])
        self.assertEqual(replaced.exception.response["Error"]["Code"], "PreconditionFailed")
        self.assertEqual(self.bucket.read(key), new_bytes)


class RigS3rver(AwsTest):

    def test_botocore_uploads_lists_and_reads_the_fixture_on_s3rver(self):
        require_s3rver(self)
        report = build(LegacyReport(self.bucket, rows=1000), self.periods)
        with s3rver(self.path("s3rver"), [self.bucket.name]) as peer:
            client = peer.client()
            self.bucket.upload(client)
            # One page: s3rver lists in directory-walk order, not byte order, so its continuation
            # tokens skip keys when a sibling name extends another ("report" / "report-old").
            listing = client.list_objects_v2(Bucket=self.bucket.name)
            self.assertFalse(listing["IsTruncated"])
            self.assertEqual(sorted(item["Key"] for item in listing["Contents"]), self.bucket.keys())
            key = report.current[self.periods[2]].keys[-1]
            whole = self.bucket.read(key)
            head = client.get_object(Bucket=self.bucket.name, Key=key, Range="bytes=0-%d" % (CHUNK - 1))
            self.assertEqual(head["ContentRange"], "bytes 0-%d/%d" % (CHUNK - 1, len(whole)))
            tail = client.get_object(Bucket=self.bucket.name, Key=key,
                                     Range="bytes=%d-%d" % (CHUNK, len(whole) + 1000))
            self.assertEqual(head["Body"].read() + tail["Body"].read(), whole)
            manifest_key = report._top_manifest_key(self.periods[2])
            body = client.get_object(Bucket=self.bucket.name, Key=manifest_key)["Body"].read()
            self.assertEqual(body, self.bucket.read(manifest_key))


# ------------------------------------------------------------------------------------------------
# edgecur once / verify
# ------------------------------------------------------------------------------------------------


class LegacyViaRole(AwsTest):

    def test_a_legacy_cur_via_role_and_external_id(self):
        report = LegacyReport(self.bucket, rows=1500)
        for period, files in zip(self.periods, (3, 2, 2)):
            report.deliver(period, files=files)
            report.add_decoys(period)
        aws = self.start_standin(reports=[report])
        config = self.write_config(self.role_connection(aws, report))
        self.once(config)
        expected = report.expected()
        self.assertReportEqual(self.report_csv(config), expected, "after the first once")
        log = aws.log()
        assumed = self.assume_roles(log)
        self.assertTrue(assumed, "no successful AssumeRole")
        form = dict(urllib.parse.parse_qsl(assumed[0].get("body", "")))
        self.assertEqual((form.get("RoleArn"), form.get("ExternalId")),
                         (self.identity.role_arn, self.identity.external_id))
        self.assertChunkedReads(log, report)
        status_before = self.status(config)

        aws.clear_log()
        time.sleep(1.1)  # a rewrite of the delivery records would show a later time
        self.once(config)
        log = aws.log()
        data_keys = {k for keys in report.manifest_data_keys().values() for k in keys}
        self.assertEqual([e["key"] for e in self.gets(log, data_keys)], [],
                         "the second once read data files again")
        self.assertTrue([e for e in log if e["operation"] == "ListObjectsV2"], "no listing")
        manifests = {report._top_manifest_key(p) for p in self.periods}
        self.assertEqual({e["key"] for e in self.gets(log)} - manifests, set(),
                         "the second once read more than the top-level manifests")
        self.assertReportEqual(self.report_csv(config), expected, "after the second once")
        self.assertEqual(self.status(config), status_before, "the second once rewrote the store")

    def test_b_a_cut_at_every_chunk_boundary(self):
        report = LegacyReport(self.bucket, rows=1600, files_per_period=1)
        report.deliver(self.periods[-1])
        key = report.current[self.periods[-1]].keys[0]
        size = os.path.getsize(self.bucket.path(key))
        self.assertGreaterEqual(size, 3 * CHUNK, "the file should span several chunks")
        aws = self.start_standin(reports=[report])
        # A cut resumes at the exact byte reached, and a resumed read still ends at its chunk's
        # boundary, so the chunk grid stays put. Per chunk: cut before its first byte (reset),
        # after its first byte, and one byte before its end (on the resumed read from byte 1).
        faults = []
        for first in range(0, size, CHUNK):
            length = min(CHUNK, size - first)
            plan = [(first, 0, "rst"), (first, 1, "fin")]
            if length > 2:
                plan.append((first + 1, length - 2, "fin"))
            for range_first, after, mode in plan:
                faults.append({"type": "cut", "service": "s3", "operation": "GetObject",
                               "key": key, "range_first": range_first, "after_bytes": after,
                               "mode": mode})
        ids = aws.add_faults(faults)
        config = self.write_config(self.role_connection(aws, report, retries="20"))
        self.once(config)
        self.assertEqual(armed(aws), [],
                         "cuts never fired: edgecur did not read %d-byte chunks from each boundary "
                         "and resume a broken one at the exact byte reached" % CHUNK)
        fired = [f for e in aws.log() for f in e["faults"] if f.startswith("cut#")]
        self.assertEqual(len(fired), len(ids))
        self.assertReportEqual(self.report_csv(config), report.expected(), "after %d cuts" % len(ids))
        self.assertChunkedReads(aws.log(), report)

    def test_c_object_replaced_mid_read_with_a_restatement(self):
        report = LegacyReport(self.bucket, rows=1500, files_per_period=2,
                              versioning="OVERWRITE_REPORT")
        build(report, self.periods[1:])
        period = self.periods[-1]
        old = report.current[period]
        new = report.restate(period, apply=False)  # the same keys: OVERWRITE_REPORT
        self.assertEqual(sorted(new.objects), sorted(old.keys + [old.manifest_key]))
        aws = self.start_standin(reports=[report])

        def content(key):
            with open(new.objects[key], "rb") as handle:
                return base64.b64encode(handle.read()).decode()

        first_key, second_key = old.keys
        aws.add_faults([
            # AWS rewrites the manifest as edgecur reads it, and both data files under it.
            {"type": "replace", "bucket": self.bucket.name, "key": old.manifest_key,
             "after_bytes": 0, "content_b64": content(old.manifest_key)},
            {"type": "replace", "bucket": self.bucket.name, "key": first_key,
             "after_bytes": CHUNK + CHUNK // 2, "content_b64": content(first_key)},
            {"type": "replace", "bucket": self.bucket.name, "key": second_key,
             "after_bytes": 0, "content_b64": content(second_key)},
        ])
        config = self.write_config(self.role_connection(aws, report))
        first_run = self.once(config, expect_ok=False)
        self.assertEqual(armed(aws), [], "not every replacement happened")
        for key in new.objects:
            with open(new.objects[key], "rb") as handle:
                self.assertEqual(self.bucket.read(key), handle.read(), key)
        precondition = [e for e in self.gets(aws.log(), {first_key, second_key}) if e["status"] == 412]
        self.assertTrue(precondition, "no GET saw the replacement (412): If-Match missing?")
        expected = report.expected()  # the manifests now name the new delivery
        after_first = self.report_csv(config)
        # The restated period is whole or absent after the first run, never a mix or a sum.
        self.assertIn(report.period_lines(after_first, period),
                      ([], report.period_lines(expected, period)), describe(first_run))
        if first_run.returncode == 0:
            self.assertReportEqual(after_first, expected, "first once")
        self.once(config)
        self.assertReportEqual(self.report_csv(config), expected, "after the second once")

    def test_d_throttling_and_server_errors_are_retried(self):
        report = build(LegacyReport(self.bucket, rows=800), self.periods[1:])
        aws = self.start_standin(reports=[report])
        aws.add_faults([
            {"type": "throttle", "service": "s3", "operation": "GetObject", "key": "*.csv.gz",
             "count": 3},
            {"type": "error", "service": "s3", "operation": "GetObject", "count": 1},
            {"type": "error", "service": "s3", "operation": "ListObjectsV2", "count": 1},
            {"type": "throttle", "service": "sts", "count": 1},
            {"type": "error", "service": "cur", "count": 1},
        ])
        config = self.write_config(self.role_connection(aws, report, retries="6"))
        started = time.monotonic()
        self.once(config)
        elapsed = time.monotonic() - started
        self.assertEqual(armed(aws), [])
        codes = [e["error_code"] for e in aws.log() if e["error_code"]]
        self.assertEqual(codes.count("SlowDown"), 3)
        self.assertEqual(codes.count("InternalError"), 2)
        self.assertIn("Throttling", codes)
        self.assertIn("InternalErrorException", codes)
        self.assertReportEqual(self.report_csv(config), report.expected(), "after retries")
        self.assertLess(elapsed, 90, "retrying 8 failures took %.0f s" % elapsed)

    def test_e_server_clock_twenty_minutes_ahead(self):
        report = build(LegacyReport(self.bucket, rows=600), self.periods[1:])
        aws = self.start_standin(reports=[report])
        aws.set_clock(20 * 60)
        config = self.write_config(self.role_connection(aws, report))
        self.once(config)
        skew = [e for e in aws.log() if e["error_code"] in (
            "SignatureDoesNotMatch", "RequestTimeTooSkewed", "InvalidSignatureException")]
        self.assertTrue(skew, "no request was rejected for the clock: the stand-in clock did not move")
        self.assertReportEqual(self.report_csv(config), report.expected(), "with a 20 min skew")

    def test_f_session_expired_mid_run_and_between_runs(self):
        report = build(LegacyReport(self.bucket, rows=1000), self.periods[1:])
        aws = self.start_standin(reports=[report])
        config = self.write_config(self.role_connection(aws, report))
        target = report.current[self.periods[1]].keys[0]
        # The stall is taken before the request authenticates: expiring the sessions during it
        # makes that very request meet ExpiredToken.
        aws.add_faults({"type": "stall", "seconds": 2, "service": "s3", "operation": "GetObject",
                        "key": target})
        process = subprocess.Popen([BIN, "once", "--config", config], env=edgecur_env(),
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            deadline = time.monotonic() + ONCE_TIMEOUT
            while any(f["type"] == "stall" for f in aws.armed_faults()):
                if process.poll() is not None or time.monotonic() > deadline:
                    break
                time.sleep(0.02)
            expired = aws.expire_sessions()
            stdout, stderr = process.communicate(timeout=ONCE_TIMEOUT)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
        result = subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)
        self.assertNoSecrets(result)
        self.assertEqual(result.returncode, 0, describe(result))
        self.assertGreaterEqual(expired, 1, "no session to expire: the stall never started")
        log = aws.log()
        self.assertIn("ExpiredToken", [e["error_code"] for e in log])
        self.assertGreaterEqual(len(self.assume_roles(log)), 2, "no second AssumeRole")
        self.assertReportEqual(self.report_csv(config), report.expected(), "mid-run expiry")

        # Between runs: a restated period still comes in with fresh credentials.
        aws.expire_sessions()
        report.restate(self.periods[2])
        aws.clear_log()
        self.once(config)
        self.assertTrue(self.assume_roles(aws.log()))
        self.assertReportEqual(self.report_csv(config), report.expected(), "after expiry between runs")

    def test_g_restatement_replaces_only_that_period(self):
        report = build(LegacyReport(self.bucket, rows=800), self.periods)
        aws = self.start_standin(reports=[report])
        config = self.write_config(self.role_connection(aws, report))
        self.once(config)
        before = self.report_csv(config)
        self.assertReportEqual(before, report.expected(), "before the restatement")
        old = report.current[self.periods[1]]
        new = report.restate(self.periods[1], files=3, rows=900)
        aws.clear_log()
        self.once(config)
        after = self.report_csv(config)
        self.assertReportEqual(after, report.expected(), "after the restatement")
        for period in (self.periods[0], self.periods[2]):
            self.assertEqual(report.period_lines(after, period), report.period_lines(before, period))
        self.assertNotEqual(report.period_lines(after, self.periods[1]),
                            report.period_lines(before, self.periods[1]))
        read = {e["key"] for e in self.gets(aws.log()) if not e["key"].endswith("-Manifest.json")}
        self.assertEqual(read, set(new.keys), "the restatement run read other files")
        self.assertFalse(read & set(old.keys))


class OtherSources(AwsTest):

    def test_h_cur2_export_via_data_exports(self):
        self.bucket = ReportBucket(self.path("buckets"), "edgecur-exports", region="us-west-2")
        export = build(Cur2Export(self.bucket, rows=1200, files_per_period=2), self.periods[1:])
        aws = self.start_standin(exports=[export])
        config = self.write_config(self.role_connection(aws, export))
        self.once(config)
        log = aws.log()
        self.assertTrue([e for e in log if e["service"] == "bcm-data-exports" and e["status"] == 200],
                        "the export was not discovered through Data Exports")
        self.assertChunkedReads(log, export)
        self.assertReportEqual(self.report_csv(config), export.expected(), "CUR 2.0 export")

    def test_i_explicit_bucket_on_s3rver(self):
        require_s3rver(self)
        self.bucket = ReportBucket(self.path("buckets"), "edgecur-s3rver", region="us-east-1")
        report = build(LegacyReport(self.bucket, rows=1200), self.periods[1:])
        with s3rver(self.path("s3rver"), [self.bucket.name]) as peer:
            self.bucket.upload(peer.client())
            config = self.write_config({
                "type": "explicit", "bucket": self.bucket.name, "prefix": report.prefix,
                "report_name": report.name, "region": "us-east-1", "s3_endpoint": peer.url,
                "s3_path_style": "true", "access_key_id": aws_peers.S3RVER_KEY,
                "secret_access_key": aws_peers.S3RVER_KEY, "chunk_bytes": "64K",
                "recheck_days": "365", "connect_timeout": "5s"})
            self.once(config)
            expected = report.expected()
            self.assertReportEqual(self.report_csv(config), expected, "explicit on s3rver")
            self.once(config)
            self.assertReportEqual(self.report_csv(config), expected, "second once on s3rver")

    def test_j_local_directory_refuses_a_link_out_of_it(self):
        """Issue 11: a symbolic link inside local_dir (etclink -> /etc) was followed."""
        report = build(LegacyReport(self.bucket, rows=300), self.periods[2:])
        local = self.bucket.copy_tree(self.path("local-reports"), under=report.prefix)
        # A data file the current manifest names (the copy holds decoys from older deliveries).
        manifests = [os.path.join(folder, name) for folder, _, names in os.walk(local)
                     for name in names if name == report.name + "-Manifest.json"
                     and os.path.dirname(folder) == os.path.join(local, report.name)]
        self.assertEqual(len(manifests), 1, manifests)
        with open(manifests[0]) as handle:
            key = json.load(handle)["reportKeys"][0]
        linked = os.path.join(local, *key[len(report.prefix):].strip("/").split("/"))
        outside = self.path("outside.csv.gz")
        shutil.move(linked, outside)
        os.symlink(outside, linked)
        config = self.write_config({"type": "local", "local_dir": local,
                                    "report_name": report.name, "recheck_days": "365"})
        result = edgecur("once", "--config", config)
        self.assertNotEqual(result.returncode, 0, describe(result))
        self.assertIn("FAILED: local: refusing a symbolic link [", result.stdout, describe(result))
        self.assertIn(f"[{key}]; the store keeps what it had", result.stdout, describe(result))

    def test_j_rows_outside_the_manifest_period_fail_the_delivery(self):
        """Issue 11: a manifest for this month whose data is of 2023-11 wrote a 2023-11 period,
        emptied this month and was reported as "added"."""
        report = build(LegacyReport(self.bucket, rows=400), self.periods[2:], decoys=False)
        local = self.bucket.copy_tree(self.path("local-reports"), under=report.prefix)
        config = self.write_config({"type": "local", "local_dir": local,
                                    "report_name": report.name, "recheck_days": "365"})
        self.once(config)
        before = self.report_csv(config)
        self.assertIn(self.periods[2], before)
        stale = generate(self.path("stale.csv.gz"), rows=300, seed=77, period="2023-11")
        report.restate(self.periods[2], sources=[stale])
        self.bucket.copy_tree(local, under=report.prefix)
        result = self.once(config, expect_ok=False)
        self.assertNotEqual(result.returncode, 0, describe(result))
        self.assertIn(f"{self.periods[2]}: FAILED: store: the delivery holds rows of a billing "
                      "period its manifest does not cover; nothing was committed", result.stdout)
        self.assertIn("the delivery has rows of billing period 2023-11", result.stderr)
        self.assertEqual(self.report_csv(config), before)
        self.assertNotIn("2023-11", self.status(config))

    def test_j_the_same_report_in_two_scopes_is_refused_and_forget_drops_a_copy(self):
        """Issue 11, A8: two connections naming one report, or an `ingest` of files a connection
        read, doubled every row of the report, silently."""
        report = build(LegacyReport(self.bucket, rows=500), self.periods[2:], decoys=False)
        local = self.bucket.copy_tree(self.path("local-reports"), under=report.prefix)
        config = self.path("two.ini")
        with open(config, "w") as out:
            out.write(f"[store]\npath = {self.store}\n")
            for name in ("first", "second"):
                out.write(f"\n[connection {name}]\ntype = local\nlocal_dir = {local}\n"
                          f"report_name = {report.name}\nrecheck_days = 365\n")
        os.chmod(config, 0o600)
        expected = report.expected()
        result = self.once(config, expect_ok=False)
        self.assertEqual(result.returncode, 6, describe(result))
        period = self.periods[2]
        self.assertIn(f"{period}: FAILED: store: another scope already holds this delivery, so "
                      "its costs would count twice; nothing was committed", result.stdout)
        self.assertIn(f"scope 'first' already holds the same data for {period}", result.stderr)
        self.assertIn(f"edgecur forget --scope first --period {period}", result.stderr)
        self.assertReportEqual(self.report_csv(config), expected, "not doubled")

        files = [self.bucket.path(f.key) for f in report.current[period].files]
        ingest = edgecur("ingest", "--store", self.store, *reversed(files))
        self.assertEqual(ingest.returncode, 3, describe(ingest))
        self.assertIn(f"scope 'first' already holds the same data for {period}", ingest.stderr)
        self.assertReportEqual(self.report_csv(config), expected, "not doubled by ingest")

        forget = edgecur("forget", "--config", config, "--scope", "first")
        self.assertEqual(forget.returncode, 0, describe(forget))
        self.assertIn("forgot scope 'first', every billing period: 1 billing period, ",
                      forget.stdout)
        self.assertEqual(self.report_csv(config).count("\n"), 1, "only the header is left")
        ingest = edgecur("ingest", "--store", self.store, *files)
        self.assertEqual(ingest.returncode, 0, describe(ingest))
        self.assertReportEqual(self.report_csv(config), expected, "the files, once")
        nothing = edgecur("forget", "--config", config, "--scope", "first", "--period", period)
        self.assertIn(f"forget: scope 'first' holds nothing for {period}; nothing was changed",
                      nothing.stdout)
        bad = edgecur("forget", "--config", config, "--scope", "first", "--period", "2026-13")
        self.assertEqual(bad.returncode, 1, describe(bad))

    def test_j_a_damaged_store_is_rebuilt_by_the_next_pass(self):
        """Issue 11, B: once moves a store that fails quick_check aside and reads every period of
        the recheck window again."""
        report = build(LegacyReport(self.bucket, rows=600), self.periods, decoys=False)
        local = self.bucket.copy_tree(self.path("local-reports"), under=report.prefix)
        config = self.write_config({"type": "local", "local_dir": local,
                                    "report_name": report.name, "recheck_days": "365"})
        self.once(config)
        expected = report.expected()
        with open(self.store, "r+b") as handle:
            handle.write(b"\0" * 100)  # the header: SQLite no longer knows the file
        result = self.once(config)
        self.assertIn("; moved aside to " + self.store + ".damaged-", result.stderr)
        for period in self.periods:
            self.assertIn(f"{period}: added", result.stdout, describe(result))
        self.assertReportEqual(self.report_csv(config), expected, "rebuilt")

    def test_j_a_file_over_max_malformed_fails_its_period_with_locations(self):
        """Issue 11, A2, through `once`: the period fails, the store keeps its totals, and the
        first malformed rows are printed as key:line."""
        report = build(LegacyReport(self.bucket, rows=800), self.periods[2:], decoys=False)
        local = self.bucket.copy_tree(self.path("local-reports"), under=report.prefix)
        config = self.write_config({"type": "local", "local_dir": local,
                                    "report_name": report.name, "recheck_days": "365"})
        self.once(config)
        before = self.report_csv(config)
        broken = generate(self.path("broken.csv.gz"), rows=2000, seed=90, period=self.periods[2],
                          extra=("--malformed-ppm", "50000"))
        delivery = report.restate(self.periods[2], sources=[broken])
        self.bucket.copy_tree(local, under=report.prefix)
        result = self.once(config, expect_ok=False)
        self.assertEqual(result.returncode, 6, describe(result))
        key = delivery.files[0].key
        self.assertIn(f"{self.periods[2]}: FAILED: cur: too many malformed rows in this file "
                      "([ingest] max_malformed)", result.stdout)
        self.assertIn("edgecur: its first malformed rows:\n", result.stderr)
        located = [line for line in result.stderr.splitlines() if line.startswith(f"  {key}:")]
        self.assertEqual(len(located), 5, describe(result))
        self.assertRegex(located[0], r"^  .+:\d+: (cur|csv): ")
        self.assertEqual(self.report_csv(config), before)

    def test_j_local_directory_without_network(self):
        report = build(LegacyReport(self.bucket, rows=1000), self.periods)
        local = self.bucket.copy_tree(self.path("local-reports"), under=report.prefix)
        config = self.write_config({"type": "local", "local_dir": local,
                                    "report_name": report.name, "recheck_days": "365"})
        argv = [BIN, "once", "--config", config]
        isolated = shutil.which("unshare") is not None and subprocess.run(
            ["unshare", "-rn", "true"], capture_output=True).returncode == 0
        if isolated:  # no network namespace at all, so any connection attempt fails
            argv = ["unshare", "-rn"] + argv
        result = run(argv, check=False, env=edgecur_env(), timeout=ONCE_TIMEOUT)
        self.assertEqual(result.returncode, 0, describe(result))
        self.assertReportEqual(self.report_csv(config), report.expected(),
                               "local directory%s" % (" (no network)" if isolated else ""))


class CrashOnce(AwsTest):
    """Issue 11, B: kill -9 at random moments of a `once` over the stand-in, with a delivery of
    three billing periods of two files each. After each kill every period shows its old totals or
    its new ones, never a mix, and a rerun completes. 100 kills by default (EC_CRASH_KILLS);
    bench/crash.sh runs the long variant."""

    def test_p_kill_once_at_random_moments_then_complete(self):
        report = build(LegacyReport(self.bucket, rows=2500), self.periods, decoys=False)
        aws = self.start_standin(reports=[report])
        config = self.write_config(self.role_connection(aws, report))
        self.once(config)
        before = self.report_csv(config)
        snapshot = self.path("snapshot.db")
        shutil.copyfile(self.store, snapshot)
        for period in self.periods:
            report.restate(period)
        after = report.expected()
        periods = {p: (report.period_lines(before, p), report.period_lines(after, p))
                   for p in self.periods}
        for period, (old, new) in periods.items():
            self.assertTrue(old and new and old != new, f"{period}: the restatement changes it")

        timing = self.write_config(self.role_connection(aws, report), name="timing",
                                   store=self.path("timing.db"))
        started = time.monotonic()
        self.once(timing)
        duration = time.monotonic() - started
        randomizer = random.Random(int(os.environ.get("EC_CRASH_SEED", "4321")))
        kills = int(os.environ.get("EC_CRASH_KILLS", "100"))
        killed = 0
        mixed_periods = 0  # kills that left some periods old and others new (each whole)
        for attempt in range(kills):
            restore(snapshot, self.store)
            process = subprocess.Popen([BIN, "once", "--config", config], env=edgecur_env(),
                                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            time.sleep(randomizer.uniform(0.0, 1.0) * duration)
            if process.poll() is None:
                process.send_signal(signal.SIGKILL)
                killed += 1
            process.wait()
            now = self.report_csv(config)
            states = set()
            for period, (old, new) in periods.items():
                lines = report.period_lines(now, period)
                self.assertIn(lines, (old, new), f"kill {attempt}: {period} is a mix")
                states.add(lines == new)
            if process.returncode != -signal.SIGKILL:
                self.assertEqual(process.returncode, 0, f"run {attempt}")
                self.assertReportEqual(now, after, f"run {attempt} completed")
            mixed_periods += len(states) == 2
        self.assertGreater(killed, kills // 2, "most runs should have been killed mid-way")
        self.once(config)
        self.assertReportEqual(self.report_csv(config), after, "rerun after the crashes")
        print(f"\n[ measured ] once: {killed} kills of {kills} runs ({mixed_periods} between two "
              f"periods' commits), a full run {duration:.2f} s", file=sys.stderr)


class Verify(AwsTest):

    def test_k_wrong_external_id_fails_and_leaves_the_store(self):
        report = build(LegacyReport(self.bucket, rows=600), self.periods[1:])
        aws = self.start_standin(reports=[report])
        good = self.write_config(self.role_connection(aws, report))
        self.once(good)
        before = self.report_csv(good)
        report.restate(self.periods[2])  # new data a wrong run must not bring in
        wrong_id = "edgecur-wrong-" + self.identity.external_id[-8:]
        bad = self.write_config(self.role_connection(aws, report, external_id=wrong_id), name="bad")
        result = self.once(bad, expect_ok=False)
        self.assertNotEqual(result.returncode, 0, describe(result))
        self.assertNoSecrets(result, extra=[wrong_id])
        self.assertTrue(result.stderr.strip(), "a failed once says nothing")
        # The role is named as the cause, not the CUR API that discovery would have called.
        self.assertIn("AssumeRole", result.stderr, describe(result))
        self.assertNotIn("CUR API", result.stdout + result.stderr, describe(result))
        refused = self.assume_roles(aws.log(), status=403)
        self.assertTrue(refused, "the wrong external id never reached AssumeRole")
        self.assertEqual(refused[0]["error_code"], "AccessDenied")
        self.assertEqual(self.report_csv(good), before, "the failed once changed the store")
        verify = edgecur("verify", "--config", bad, timeout=120)
        self.assertNoSecrets(verify, extra=[wrong_id])
        self.assertNotEqual(verify.returncode, 0, describe(verify))
        failing = [line for line in verify.stdout.splitlines() if line.startswith("FAIL")]
        self.assertTrue([line for line in failing if "AssumeRole" in line], describe(verify))
        self.assertEqual(self.report_csv(good), before, "verify changed the store")

    def test_l_verify_on_a_good_config(self):
        report = build(LegacyReport(self.bucket, rows=300), self.periods[2:])
        aws = self.start_standin(reports=[report])
        config = self.write_config(self.role_connection(aws, report))
        result = edgecur("verify", "--config", config, timeout=120)
        self.assertNoSecrets(result)
        self.assertEqual(result.returncode, 0, describe(result))
        lines = [line for line in result.stdout.splitlines() if line.strip()]
        self.assertTrue(lines, "verify printed nothing")
        self.assertEqual([line for line in lines if not line.startswith("OK")], [], describe(result))
        self.assertTrue(self.assume_roles(aws.log()), "verify did not try the role")


class AccountNamesAndPolicy(AwsTest):

    def test_m_account_names_from_organizations_through_an_empty_page(self):
        report = build(LegacyReport(self.bucket, rows=400), self.periods[2:])
        expected = report.expected()
        ids = sorted({line.split(",")[2] for line in expected.splitlines()[1:] if line})
        self.assertGreaterEqual(len(ids), 2, "the fixture should have several usage accounts")
        # Untrusted names: a quote, a backslash, a control character and a right-to-left override.
        names = {account: "Team %d \"ops\" \\ \x07x\u202e" % i for i, account in enumerate(ids)}
        accounts = [{"Id": account, "Name": name, "Email": "%s@example.com" % account,
                     "Status": "ACTIVE", "State": "ACTIVE", "Arn": "arn:aws:organizations::%s" % account}
                    for account, name in names.items()]
        aws = self.start_standin(reports=[report], accounts=accounts,
                                 accounts_page_sizes=[1, 0] + [1] * len(ids))
        config = self.write_config(self.role_connection(aws, report, account_names="true"))
        result = self.once(config)
        self.assertIn("%d account names" % len(ids), result.stdout, describe(result))
        listed = [e for e in aws.log() if e["operation"] == "ListAccounts"]
        self.assertGreaterEqual(len(listed), 3, "the empty page's NextToken was not followed")
        shown = edgecur("report", "--config", config, "--format", "json", timeout=120)
        self.assertEqual(shown.returncode, 0, describe(shown))
        rows = json.loads(shown.stdout)
        self.assertTrue(rows)
        for row in rows:
            want = names[row["usage_account_id"]].replace("\x07", "?").replace("\u202e", "?")
            self.assertEqual(row["account_name"], want)
        # The csv contract is unchanged by names.
        self.assertReportEqual(self.report_csv(config), expected, "with names stored")

    def test_n_policy_names_the_discovered_bucket_and_only_the_actions_used(self):
        report = build(LegacyReport(self.bucket, rows=300), self.periods[2:])
        aws = self.start_standin(reports=[report])
        config = self.write_config(self.role_connection(aws, report))
        result = edgecur("policy", "--config", config, timeout=120)
        self.assertEqual(result.returncode, 0, describe(result))
        self.assertNoSecrets(result)
        policy = json.loads(result.stdout)
        actions = sorted(a for st in policy["Statement"] for a in
                         (st["Action"] if isinstance(st["Action"], list) else [st["Action"]]))
        self.assertEqual(actions, ["cur:DescribeReportDefinitions", "s3:GetObject", "s3:ListBucket"])
        resources = json.dumps(policy)
        self.assertIn("arn:aws:s3:::%s/cur/reports/%s/*" % (self.bucket.name, report.name), resources)
        offline = edgecur("policy", "--config", config, "--offline", timeout=120)
        self.assertEqual(offline.returncode, 0, describe(offline))
        self.assertIn("REPORT_BUCKET", offline.stdout)
        self.assertIn("REPORT_BUCKET", offline.stderr, "the placeholder is not explained")
        trust = edgecur("policy", "--config", config, "--trust", "payer", timeout=120)
        self.assertEqual(trust.returncode, 0, describe(trust))
        self.assertIn(self.identity.external_id, trust.stdout)
        self.assertNotIn(self.identity.external_id, trust.stderr)


class SeveralConnections(AwsTest):

    def test_o_two_payers_in_one_ini_keep_their_own_months(self):
        first = build(LegacyReport(self.bucket, rows=500, seed_base=7000), self.periods[1:])
        second_bucket = ReportBucket(self.path("buckets"), "second-payer-bucket")
        second = build(LegacyReport(second_bucket, name="payer2-cur", prefix="billing",
                                    rows=400, seed_base=8000), self.periods[1:])
        # The second payer: its own IAM user's keys (S3 only), explicit bucket, no role.
        reader = Identity()
        users = self.identity.config()["users"] + [
            {"access_key": reader.access_key, "secret_key": reader.secret_key,
             "arn": reader.user_arn, "deny": ["cur:*", "bcm-data-exports:*", "organizations:*"]}]
        aws = self.start_standin(reports=[first], users=users)
        one = self.role_connection(aws, first)
        keys = reader.write_credentials_file(self.path("reader-credentials"))
        two = {"type": "explicit", "credentials_file": keys, "bucket": second_bucket.name,
               "prefix": "billing", "report_name": second.name, "region": second_bucket.region,
               "s3_endpoint": aws.url, "s3_path_style": "true", "chunk_bytes": "64K",
               "recheck_days": "365"}
        lines = ["[store]", "path = %s" % self.store]
        for name, connection in (("payer1", one), ("payer2", two)):
            lines += ["", "[connection %s]" % name]
            lines += ["%s = %s" % (k, v) for k, v in connection.items() if v is not None]
        config = self.path("two.ini")
        with open(config, "w") as out:
            out.write("\n".join(lines) + "\n")
        os.chmod(config, 0o600)
        self.once(config)
        both = reference(first.data_files() + second.data_files())
        self.assertReportEqual(self.report_csv(config), both, "both payers")
        # A restatement of one payer's month replaces that payer's rows only.
        second.restate(self.periods[2])
        self.once(config)
        both = reference(first.data_files() + second.data_files())
        self.assertReportEqual(self.report_csv(config), both, "after payer2's restatement")
        status = self.status(config)
        self.assertIn("payer1", status)
        self.assertIn("payer2", status)
        only = edgecur("report", "--config", config, "--format", "csv", "--scope", "payer2",
                       timeout=120)
        self.assertEqual(only.returncode, 0, describe(only))
        self.assertReportEqual(only.stdout, reference(second.data_files()), "payer2 alone")


if __name__ == "__main__":
    unittest.main()

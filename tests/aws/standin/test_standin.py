#!/usr/bin/env python3
# tests/aws/standin/test_standin.py - Self-tests of the AWS stand-in, with botocore as the client.
"""Run: python3 -m unittest -v test_standin   (from tests/aws/standin)

The stand-in must accept what AWS accepts (botocore's own requests, and the exact bytes botocore
recorded in ../shared/testdata/sigv4/botocore-wire.json) and reject what AWS rejects, with AWS's codes."""

import base64
import datetime
import email.utils
import gzip
import hashlib
import http.client
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.parse

os.environ["AWS_CONFIG_FILE"] = os.devnull
os.environ["AWS_SHARED_CREDENTIALS_FILE"] = os.devnull
os.environ["AWS_EC2_METADATA_DISABLED"] = "true"
for _name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE",
              "AWS_DEFAULT_REGION", "AWS_REGION", "AWS_ENDPOINT_URL"):
    os.environ.pop(_name, None)

import botocore.session  # noqa: E402
from botocore.auth import S3SigV4Auth, SigV4Auth  # noqa: E402
from botocore.awsrequest import AWSRequest  # noqa: E402
from botocore.config import Config  # noqa: E402
from botocore.credentials import Credentials  # noqa: E402
from botocore.exceptions import ClientError  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import standin  # noqa: E402

SOURCE_DIR = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
WIRE = os.path.join(SOURCE_DIR, "..", "shared", "testdata", "sigv4", "botocore-wire.json")

ACCOUNT = "123456789012"
AK, SK = "AKIAEDGECURTEST00001", "edgecur/test+secret=key/0123456789abcdefgh"
ROLE = "arn:aws:iam::%s:role/collector" % ACCOUNT
ROLE_NOEXT = "arn:aws:iam::%s:role/plain" % ACCOUNT
EXTERNAL_ID = "ext-123"
BUCKET, EU_BUCKET = "cur-bucket", "eu-bucket"
MANIFEST_KEY = "cur/report/20240301-20240401/report-Manifest.json"
DATA_KEY = "cur/report/20240301-20240401/report-1.csv.gz"
ODD_KEY = "cur/report name/x=1,part-0.csv.gz"
BIG_KEY = "big/report-00001.csv.gz"
MANY = 2500
ACCOUNTS = [{"Id": "%012d" % (111111111111 * i), "Name": "account %d" % i, "Email": "a%d@example.com" % i,
             "Status": "ACTIVE", "State": "ACTIVE"} for i in range(1, 6)]
REPORTS = [{"ReportName": "report-%d" % i, "TimeUnit": "HOURLY", "Format": "textORcsv", "Compression": "GZIP",
            "AdditionalSchemaElements": ["RESOURCES"], "S3Bucket": BUCKET, "S3Prefix": "cur",
            "S3Region": "us-east-1", "ReportVersioning": "OVERWRITE_REPORT"} for i in range(7)]
EXPORT_ARN = "arn:aws:bcm-data-exports:us-east-1:%s:export/cur2-1234" % ACCOUNT
EXPORTS = [{"ExportArn": EXPORT_ARN, "Name": "cur2",
            "DataQuery": {"QueryStatement": "SELECT * FROM COST_AND_USAGE_REPORT"},
            "DestinationConfigurations": {"S3Destination": {
                "S3Bucket": BUCKET, "S3Prefix": "exports", "S3Region": "us-east-1",
                "S3OutputConfigurations": {"OutputType": "CUSTOM", "Format": "TEXT_OR_CSV", "Compression": "GZIP",
                                           "Overwrite": "OVERWRITE_REPORT"}}},
            "RefreshCadence": {"Frequency": "SYNCHRONOUS"}}]
CONFIG = {
    "account_id": ACCOUNT,
    "users": [{"access_key": AK, "secret_key": SK, "name": "edge"}],
    "roles": [{"arn": ROLE, "external_id": EXTERNAL_ID, "max_session_duration": 7200},
              {"arn": ROLE_NOEXT}],
    "buckets": {EU_BUCKET: {"region": "eu-west-1"}},
    "sts_disabled_regions": ["ap-east-1"],
    "report_definitions": REPORTS,
    "exports": EXPORTS,
    "accounts": ACCOUNTS,
    "accounts_page_sizes": [2, 0, 0, 1],
    "multipart_etags": {BUCKET + "/big/*": 3},
}
DATA = gzip.compress(b"".join(b"line %05d,1.25,USD\n" % i for i in range(20000)), mtime=0)
_SESSION = botocore.session.Session()
# Creating the 2,500 listing objects is 50x faster on tmpfs than on some disks' /tmp.
FAST_TMP = "/dev/shm" if os.access("/dev/shm", os.W_OK) else None


def amz_now(shift=0.0):
    return datetime.datetime.fromtimestamp(time.time() + shift, datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ")


class Reply:
    def __init__(self, status, headers, body):
        self.status, self.headers, self.body = status, headers, body

    def code(self):
        """The AWS error code, whichever protocol answered."""
        text = self.body.decode("utf-8", "replace")
        match = re.search(r"<Code>([^<]*)</Code>", text)
        if match:
            return match.group(1)
        try:
            return json.loads(text)["__type"].split("#")[-1]
        except (ValueError, KeyError):
            return None


class StandInTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.root = tempfile.mkdtemp(prefix="standin-test-", dir=FAST_TMP)
        objects = {
            MANIFEST_KEY: json.dumps({"assemblyId": "a1", "reportKeys": [DATA_KEY]}).encode(),
            DATA_KEY: DATA,
            ODD_KEY: b"odd,key\n",
            BIG_KEY: DATA,
        }
        for key, data in objects.items():
            path = os.path.join(cls.root, BUCKET, *key.split("/"))
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "wb") as out:
                out.write(data)
        many = os.path.join(cls.root, BUCKET, "many")
        os.makedirs(many)
        for i in range(MANY):
            open(os.path.join(many, "k%05d" % i), "wb").close()
        os.makedirs(os.path.join(cls.root, EU_BUCKET, "cur"))
        with open(os.path.join(cls.root, EU_BUCKET, "cur", "eu.csv"), "wb") as out:
            out.write(b"eu\n")
        cls.server = standin.StandIn(cls.root, json.loads(json.dumps(CONFIG)))
        cls.port = cls.server.start()
        cls.url = "http://127.0.0.1:%d" % cls.port

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()
        shutil.rmtree(cls.root, ignore_errors=True)

    def setUp(self):
        self.server.clear_faults()
        self.server.clear_log()
        self.server.set_clock_offset(0)
        self.clients = []

    def tearDown(self):
        for client in self.clients:
            if hasattr(client, "close"):
                client.close()

    # -- clients -------------------------------------------------------------------------------
    def client(self, service, key=AK, secret=SK, token=None, region="us-east-1", attempts=1, read_timeout=10):
        config = Config(retries={"total_max_attempts": attempts, "mode": "legacy"}, connect_timeout=5,
                        read_timeout=read_timeout, s3={"addressing_style": "path"})
        client = _SESSION.create_client(service, region_name=region, endpoint_url=self.url, aws_access_key_id=key,
                                        aws_secret_access_key=secret, aws_session_token=token, config=config)
        self.clients.append(client)
        return client

    def assume(self, duration=900, key=AK, secret=SK):
        sts = self.client("sts", key, secret)
        creds = sts.assume_role(RoleArn=ROLE, RoleSessionName="edge-collector", ExternalId=EXTERNAL_ID,
                                DurationSeconds=duration)["Credentials"]
        return creds["AccessKeyId"], creds["SecretAccessKey"], creds["SessionToken"], creds["Expiration"]

    def signed(self, method, path, service, region="us-east-1", key=AK, secret=SK, token=None, headers=None,
               body=b"", amz_date=None, host=None):
        """Signs like botocore at a chosen time; returns an AWSRequest to send (or to tamper with first)."""
        url = self.url + path
        request = AWSRequest(method=method, url=url, headers=dict(headers or {}), data=body)
        if host is not None:
            request.headers["Host"] = host
        auth = (S3SigV4Auth if service == "s3" else SigV4Auth)(Credentials(key, secret, token), service, region)
        request.context["timestamp"] = amz_date or amz_now()
        auth._modify_request_before_signing(request)
        canonical = auth.canonical_request(request)
        signature = auth.signature(auth.string_to_sign(request, canonical), request)
        auth._inject_signature_to_request(request, signature)
        return request

    def send(self, request, timeout=10):
        split = urllib.parse.urlsplit(request.url)
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            conn.putrequest(request.method, split.path + ("?" + split.query if split.query else ""),
                            skip_host=True, skip_accept_encoding=True)
            if "Host" not in request.headers:
                conn.putheader("Host", split.netloc)
            for name, value in request.headers.items():
                conn.putheader(name, value)
            body = request.data or b""
            if body or request.method == "POST":
                conn.putheader("Content-Length", str(len(body)))
            conn.endheaders(body or None)
            response = conn.getresponse()
            return Reply(response.status, response.headers, response.read())
        finally:
            conn.close()

    def json_call(self, service, target, document, **kw):
        body = json.dumps(document).encode()
        request = self.signed("POST", "/", service, body=body, headers={
            "Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": target}, **kw)
        return self.send(request)

    def admin(self, method, path, document=None, raw=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            body = raw if raw is not None else (json.dumps(document).encode() if document is not None else None)
            conn.request(method, "/__admin" + path, body=body)
            response = conn.getresponse()
            return response.status, json.loads(response.read())
        finally:
            conn.close()

    def object_bytes(self, key, bucket=BUCKET):
        with open(os.path.join(self.root, bucket, *key.split("/")), "rb") as src:
            return src.read()

    def assertAwsError(self, ctx, code, status):
        error = ctx.exception.response
        self.assertEqual((error["Error"]["Code"], error["ResponseMetadata"]["HTTPStatusCode"]), (code, status))

    # -- accepts what AWS accepts ----------------------------------------------------------------
    def test_assume_role_then_s3_with_temporary_credentials(self):
        key, secret, token, expiration = self.assume(duration=900)
        self.assertTrue(key.startswith("ASIA") and len(key) == 20)
        self.assertGreater(len(token), 600)
        self.assertAlmostEqual(expiration.timestamp(), time.time() + 900, delta=5)
        s3 = self.client("s3", key, secret, token)
        listing = s3.list_objects_v2(Bucket=BUCKET, Prefix="cur/report/")
        self.assertEqual([o["Key"] for o in listing["Contents"]], [DATA_KEY, MANIFEST_KEY])
        self.assertEqual(listing["Contents"][0]["Size"], len(DATA))
        body = s3.get_object(Bucket=BUCKET, Key=MANIFEST_KEY)["Body"].read()
        self.assertEqual(json.loads(body)["reportKeys"], [DATA_KEY])
        s3_requests = [r for r in self.server.requests() if r["service"] == "s3"]
        self.assertEqual([r["status"] for r in s3_requests], [200, 200])
        self.assertTrue(all(r["headers"]["x-amz-security-token"] == token for r in s3_requests))
        self.assertTrue(all(r["headers"]["authorization"].endswith("Signature=<redacted>") for r in s3_requests))
        # The assumed role can list the organization and the reports too.
        orgs = self.client("organizations", key, secret, token)
        self.assertEqual(orgs.list_accounts()["Accounts"][0]["Id"], ACCOUNTS[0]["Id"])

    def test_assume_role_without_external_id_when_role_needs_none(self):
        sts = self.client("sts")
        result = sts.assume_role(RoleArn=ROLE_NOEXT, RoleSessionName="s1")
        self.assertEqual(result["AssumedRoleUser"]["Arn"], "arn:aws:sts::%s:assumed-role/plain/s1" % ACCOUNT)
        remaining = result["Credentials"]["Expiration"].timestamp() - time.time()
        self.assertAlmostEqual(remaining, 3600, delta=5)  # DurationSeconds defaults to 3600

    def test_list_more_than_1000_keys_pages_with_tokens(self):
        s3 = self.client("s3")
        keys, pages = [], 0
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=BUCKET, Prefix="many/"):
            pages += 1
            keys += [o["Key"] for o in page["Contents"]]
        self.assertEqual(len(keys), MANY)
        self.assertEqual(keys[0], "many/k00000")
        self.assertEqual(keys[-1], "many/k%05d" % (MANY - 1))
        self.assertEqual(len(set(keys)), MANY)
        self.assertEqual(pages, 3)
        tokens = [dict(r["params"]).get("continuation-token") for r in self.server.requests()]
        self.assertIsNone(tokens[0])
        for token in tokens[1:]:
            self.assertTrue(set("/+=") <= set(token), token)
        raw_queries = [r["query"] for r in self.server.requests()[1:]]
        self.assertTrue(all("%2F" in q and "%2B" in q and "%3D" in q for q in raw_queries), raw_queries)

    def test_list_max_keys_and_delimiter(self):
        s3 = self.client("s3")
        first = s3.list_objects_v2(Bucket=BUCKET, Prefix="many/", MaxKeys=2)
        self.assertEqual([o["Key"] for o in first["Contents"]], ["many/k00000", "many/k00001"])
        self.assertTrue(first["IsTruncated"])
        second = s3.list_objects_v2(Bucket=BUCKET, Prefix="many/", MaxKeys=2,
                                    ContinuationToken=first["NextContinuationToken"])
        self.assertEqual([o["Key"] for o in second["Contents"]], ["many/k00002", "many/k00003"])
        capped = s3.list_objects_v2(Bucket=BUCKET, Prefix="many/", MaxKeys=5000)
        self.assertEqual(capped["KeyCount"], 1000)
        tree = s3.list_objects_v2(Bucket=BUCKET, Prefix="cur/", Delimiter="/")
        self.assertEqual([p["Prefix"] for p in tree["CommonPrefixes"]], ["cur/report name/", "cur/report/"])
        self.assertNotIn("Contents", tree)
        with self.assertRaises(ClientError) as ctx:
            s3.list_objects_v2(Bucket=BUCKET, ContinuationToken="1ABC/def+ghi=")
        self.assertAwsError(ctx, "InvalidArgument", 400)

    def test_list_encoding_type_url_encodes_keys(self):
        reply = self.send(self.signed("GET", "/%s?list-type=2&prefix=cur%%2Freport%%20name%%2F&encoding-type=url"
                                      % BUCKET, "s3"))
        self.assertEqual(reply.status, 200)
        text = reply.body.decode()
        self.assertIn("<Key>cur/report+name/x%3D1%2Cpart-0.csv.gz</Key>", text)
        self.assertIn("<Prefix>cur/report+name/</Prefix>", text)
        self.assertIn("<EncodingType>url</EncodingType>", text)
        # botocore asks for encoding-type=url by itself and decodes the answer.
        self.server.clear_log()
        listing = self.client("s3").list_objects_v2(Bucket=BUCKET, Prefix="cur/report name/")
        self.assertEqual(listing["Contents"][0]["Key"], ODD_KEY)
        self.assertIn(["encoding-type", "url"], self.server.requests()[0]["params"])

    def test_ranged_get_clipped_range_and_416(self):
        s3 = self.client("s3")
        size = len(DATA)
        part = s3.get_object(Bucket=BUCKET, Key=DATA_KEY, Range="bytes=0-1023")
        self.assertEqual(part["ResponseMetadata"]["HTTPStatusCode"], 206)
        self.assertEqual(part["ContentRange"], "bytes 0-1023/%d" % size)
        self.assertEqual(part["Body"].read(), DATA[:1024])
        tail = s3.get_object(Bucket=BUCKET, Key=DATA_KEY, Range="bytes=%d-%d" % (size - 10, size + 5000))
        self.assertEqual(tail["ContentRange"], "bytes %d-%d/%d" % (size - 10, size - 1, size))
        self.assertEqual(tail["Body"].read(), DATA[-10:])
        suffix = s3.get_object(Bucket=BUCKET, Key=DATA_KEY, Range="bytes=-7")
        self.assertEqual(suffix["Body"].read(), DATA[-7:])
        with self.assertRaises(ClientError) as ctx:
            s3.get_object(Bucket=BUCKET, Key=DATA_KEY, Range="bytes=%d-" % size)
        self.assertAwsError(ctx, "InvalidRange", 416)
        self.assertEqual(ctx.exception.response["Error"]["ActualObjectSize"], str(size))
        whole = s3.get_object(Bucket=BUCKET, Key=DATA_KEY)
        self.assertEqual(hashlib.sha256(whole["Body"].read()).digest(), hashlib.sha256(DATA).digest())
        with self.assertRaises(ClientError) as ctx:
            s3.get_object(Bucket=BUCKET, Key="cur/missing.csv.gz")
        self.assertAwsError(ctx, "NoSuchKey", 404)
        with self.assertRaises(ClientError) as ctx:
            s3.list_objects_v2(Bucket="no-such-bucket")
        self.assertAwsError(ctx, "NoSuchBucket", 404)

    def test_etags_if_match_and_head(self):
        s3 = self.client("s3")
        head = s3.head_object(Bucket=BUCKET, Key=DATA_KEY)
        self.assertEqual(head["ETag"], '"%s"' % hashlib.md5(DATA).hexdigest())
        self.assertEqual(head["ContentLength"], len(DATA))
        ok = s3.get_object(Bucket=BUCKET, Key=DATA_KEY, Range="bytes=10-19", IfMatch=head["ETag"])
        self.assertEqual(ok["Body"].read(), DATA[10:20])
        with self.assertRaises(ClientError) as ctx:
            s3.get_object(Bucket=BUCKET, Key=DATA_KEY, Range="bytes=10-19", IfMatch='"0123456789abcdef"')
        self.assertAwsError(ctx, "PreconditionFailed", 412)
        big = s3.head_object(Bucket=BUCKET, Key=BIG_KEY)["ETag"]
        third = -(-len(DATA) // 3)
        parts = b"".join(hashlib.md5(DATA[i * third:(i + 1) * third]).digest() for i in range(3))
        self.assertEqual(big, '"%s-3"' % hashlib.md5(parts).hexdigest())
        self.assertEqual(s3.get_object(Bucket=BUCKET, Key=BIG_KEY, Range="bytes=0-3", IfMatch=big)["Body"].read(),
                         DATA[:4])
        if_match = [r["headers"].get("if-match") for r in self.server.requests() if r["operation"] == "GetObject"]
        self.assertEqual(if_match, [head["ETag"], '"0123456789abcdef"', big])

    def test_virtual_host_style_and_bucket_region(self):
        host = "%s.s3.eu-west-1.amazonaws.com" % EU_BUCKET
        reply = self.send(self.signed("GET", "/cur/eu.csv", "s3", region="eu-west-1", host=host))
        self.assertEqual((reply.status, reply.body), (200, b"eu\n"))
        wrong = self.send(self.signed("GET", "/%s/cur/eu.csv" % EU_BUCKET, "s3", region="us-east-1"))
        self.assertEqual((wrong.status, wrong.code()), (400, "AuthorizationHeaderMalformed"))
        self.assertIn(b"<Region>eu-west-1</Region>", wrong.body)
        moved = self.send(self.signed("GET", "/cur/eu.csv", "s3", region="us-west-2",
                                      host="%s.s3.us-west-2.amazonaws.com" % EU_BUCKET))
        self.assertEqual((moved.status, moved.code()), (301, "PermanentRedirect"))
        self.assertEqual(moved.headers["x-amz-bucket-region"], "eu-west-1")
        local = self.send(self.signed("GET", "/?list-type=2&prefix=cur%2F", "s3", region="eu-west-1",
                                      host="%s.localhost:%d" % (EU_BUCKET, self.port)))
        self.assertEqual(local.status, 200)
        self.assertIn(b"<Key>cur/eu.csv</Key>", local.body)
        location = self.client("s3").get_bucket_location(Bucket=EU_BUCKET)
        self.assertEqual(location["LocationConstraint"], "eu-west-1")

    def test_cur_report_definitions_paginate(self):
        cur = self.client("cur")
        names = []
        for page in cur.get_paginator("describe_report_definitions").paginate():
            names += [d["ReportName"] for d in page["ReportDefinitions"]]
        self.assertEqual(names, ["report-%d" % i for i in range(7)])
        bodies = [json.loads(r["body"]) for r in self.server.requests()]
        self.assertEqual(len(bodies), 2)
        self.assertRegex(bodies[1]["NextToken"], r"^[A-Za-z0-9_.\-=]+$")
        self.assertEqual(self.server.requests()[0]["headers"]["x-amz-target"],
                         "AWSOrigamiServiceGatewayService.DescribeReportDefinitions")
        too_many = self.json_call("cur", "AWSOrigamiServiceGatewayService.DescribeReportDefinitions",
                                  {"MaxResults": 10})
        self.assertEqual((too_many.status, too_many.code()), (400, "ValidationException"))

    def test_data_exports_list_and_get(self):
        listed = self.json_call("bcm-data-exports", "AWSBillingAndCostManagementDataExports.ListExports",
                                {"MaxResults": 10})
        self.assertEqual(listed.status, 200)
        self.assertEqual(json.loads(listed.body)["Exports"][0]["ExportArn"], EXPORT_ARN)
        got = self.json_call("bcm-data-exports", "AWSBillingAndCostManagementDataExports.GetExport",
                             {"ExportArn": EXPORT_ARN})
        destination = json.loads(got.body)["Export"]["DestinationConfigurations"]["S3Destination"]
        self.assertEqual((destination["S3Bucket"], destination["S3OutputConfigurations"]["Compression"]),
                         (BUCKET, "GZIP"))
        missing = self.json_call("bcm-data-exports", "AWSBillingAndCostManagementDataExports.GetExport",
                                 {"ExportArn": EXPORT_ARN + "x"})
        self.assertEqual((missing.status, missing.code()), (400, "ResourceNotFoundException"))
        unknown = self.json_call("bcm-data-exports", "AWSBillingAndCostManagementDataExports.DeleteExport", {})
        self.assertEqual((unknown.status, unknown.code()), (400, "UnknownOperationException"))
        untargeted = self.send(self.signed("POST", "/", "bcm-data-exports", body=b"{}",
                                           headers={"Content-Type": "application/x-amz-json-1.1"}))
        self.assertEqual((untargeted.status, untargeted.code()), (400, "UnknownOperationException"))

    def test_organizations_pages_include_empty_pages_with_tokens(self):
        orgs = self.client("organizations")
        pages = list(orgs.get_paginator("list_accounts").paginate())
        self.assertEqual([len(p["Accounts"]) for p in pages], [2, 0, 0, 1, 2])
        self.assertEqual(["NextToken" in p for p in pages], [True, True, True, True, False])
        ids = [a["Id"] for p in pages for a in p["Accounts"]]
        self.assertEqual(ids, [a["Id"] for a in ACCOUNTS])
        self.assertTrue(set("/+=") <= set(pages[0]["NextToken"]))
        bad = self.json_call("organizations", "AWSOrganizationsV20161128.ListAccounts", {"NextToken": "tok"})
        self.assertEqual((bad.status, bad.code()), (400, "InvalidInputException"))

    def test_get_caller_identity(self):
        identity = self.client("sts").get_caller_identity()
        self.assertEqual((identity["Account"], identity["Arn"]), (ACCOUNT, "arn:aws:iam::%s:user/edge" % ACCOUNT))

    def test_botocore_wire_requests_are_accepted(self):
        """The exact bytes botocore 1.43 sent (fixed time, example keys) authenticate here."""
        with open(WIRE, encoding="utf-8") as handle:
            wire = json.load(handle)
        root = tempfile.mkdtemp(prefix="standin-wire-")
        try:
            os.makedirs(os.path.join(root, "my-bucket", "cur", "report name"))
            with open(os.path.join(root, "my-bucket", "cur", "report name", "x=1,part-0.csv.gz"), "wb") as out:
                out.write(b"not the recorded etag")
            secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
            config = {"roles": [{"arn": ROLE, "external_id": EXTERNAL_ID}],
                      "buckets": {"my-bucket": {"region": "eu-west-1"}},
                      "exports": [{"ExportArn": "arn:aws:bcm-data-exports:us-east-1:%s:export/my-export-1234" % ACCOUNT,
                                   "Name": "my-export"}]}
            results = []
            with standin.StandIn(root, config) as server:
                server.state.clock.offset = standin._parse_amz("20150830T123600Z") - time.time()
                for recorded in wire:
                    temporary = "X-Amz-Security-Token" in recorded["headers"]
                    user = {"access_key": "AKIDEXAMPLE", "secret_key": secret}
                    if temporary:
                        user["session_token"] = "TOKEN"
                    server.configure(users=[user])
                    for tamper in (False, True):
                        split = urllib.parse.urlsplit(recorded["url"])
                        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
                        conn.putrequest(recorded["method"], split.path + ("?" + split.query if split.query else ""),
                                        skip_host=True, skip_accept_encoding=True)
                        conn.putheader("Host", split.netloc)
                        for name, value in recorded["headers"].items():
                            if tamper and name == "Authorization":
                                value = value[:-1] + ("0" if value[-1] != "0" else "1")
                            conn.putheader(name, value)
                        conn.endheaders(recorded["body"].encode() if recorded["body"] is not None else None)
                        response = conn.getresponse()
                        reply = Reply(response.status, response.headers, response.read())
                        conn.close()
                        results.append((reply.status, reply.code()))
        finally:
            shutil.rmtree(root, ignore_errors=True)
        accepted = results[0::2]
        tampered = results[1::2]
        self.assertEqual(accepted, [
            (200, None), (200, None), (200, None), (200, None), (200, None),
            (400, "InvalidInputException"),  # NextToken "tok" was never issued; the signature passed
            (200, None),
            (400, "InvalidArgument"),  # continuation token never issued; the signature passed
            (412, "PreconditionFailed"),  # the recorded If-Match names other bytes; the signature passed
        ])
        self.assertEqual(tampered, [
            (403, "SignatureDoesNotMatch"), (403, "SignatureDoesNotMatch"),
            (400, "InvalidSignatureException"), (400, "InvalidSignatureException"),
            (400, "InvalidSignatureException"), (400, "InvalidSignatureException"),
            (400, "InvalidSignatureException"), (403, "SignatureDoesNotMatch"), (403, "SignatureDoesNotMatch")])

    # -- rejects what AWS rejects ---------------------------------------------------------------
    def test_wrong_or_missing_external_id_is_access_denied(self):
        sts = self.client("sts")
        with self.assertRaises(ClientError) as ctx:
            sts.assume_role(RoleArn=ROLE, RoleSessionName="edge", ExternalId="ext-999")
        self.assertAwsError(ctx, "AccessDenied", 403)
        self.assertIn("is not authorized to perform: sts:AssumeRole on resource: " + ROLE,
                      ctx.exception.response["Error"]["Message"])
        with self.assertRaises(ClientError) as ctx:
            sts.assume_role(RoleArn=ROLE, RoleSessionName="edge")
        self.assertAwsError(ctx, "AccessDenied", 403)
        with self.assertRaises(ClientError) as ctx:
            sts.assume_role(RoleArn="arn:aws:iam::%s:role/nobody" % ACCOUNT, RoleSessionName="edge")
        self.assertAwsError(ctx, "AccessDenied", 403)

    def test_assume_role_parameter_rules(self):
        def assume(**params):
            form = {"Action": "AssumeRole", "Version": "2011-06-15", "RoleArn": ROLE, "RoleSessionName": "edge",
                    "ExternalId": EXTERNAL_ID}
            form.update(params)
            form = {k: v for k, v in form.items() if v is not None}
            body = urllib.parse.urlencode(form).encode()
            return self.send(self.signed("POST", "/", "sts", body=body, headers={
                "Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}))
        self.assertEqual(assume(DurationSeconds="900").status, 200)
        self.assertEqual(assume(DurationSeconds="7200").status, 200)
        for params, fragment in [({"DurationSeconds": "899"}, b"greater than or equal to 900"),
                                 ({"DurationSeconds": "43201"}, b"less than or equal to 43200"),
                                 ({"DurationSeconds": "7201"}, b"MaxSessionDuration"),
                                 ({"RoleSessionName": "a"}, b"length greater than or equal to 2"),
                                 ({"RoleSessionName": "x" * 65}, b"less than or equal to 64"),
                                 ({"RoleSessionName": "has space"}, b"regular expression pattern"),
                                 ({"RoleSessionName": None}, b"must not be null"),
                                 ({"ExternalId": "bad#id"}, b"regular expression pattern")]:
            reply = assume(**params)
            self.assertEqual((reply.status, reply.code()), (400, "ValidationError"), params)
            self.assertIn(fragment, reply.body, params)
            self.assertIn(b"<Type>Sender</Type>", reply.body)
        with self.assertRaises(ClientError) as ctx:
            self.client("sts", region="ap-east-1").assume_role(RoleArn=ROLE, RoleSessionName="edge",
                                                               ExternalId=EXTERNAL_ID)
        self.assertAwsError(ctx, "RegionDisabledException", 403)
        # Role chaining is limited to one hour.
        key, secret, token, _ = self.assume()
        with self.assertRaises(ClientError) as ctx:
            self.client("sts", key, secret, token).assume_role(RoleArn=ROLE, RoleSessionName="chain",
                                                               ExternalId=EXTERNAL_ID, DurationSeconds=3601)
        self.assertAwsError(ctx, "ValidationError", 400)

    def test_tampered_signature_is_rejected(self):
        request = self.signed("GET", "/%s/%s" % (BUCKET, DATA_KEY), "s3", headers={"Range": "bytes=0-9"})
        self.assertEqual(self.send(request).status, 206)
        auth = request.headers["Authorization"]
        request.headers.replace_header("Authorization", auth[:-4] + ("0000" if not auth.endswith("0000") else "1111"))
        reply = self.send(request)
        self.assertEqual((reply.status, reply.code()), (403, "SignatureDoesNotMatch"))
        self.assertIn(b"<CanonicalRequest>GET\n/cur-bucket/cur/report/", reply.body)
        # A signed header changed after signing.
        request = self.signed("GET", "/%s/%s" % (BUCKET, DATA_KEY), "s3", headers={"Range": "bytes=0-9"})
        request.headers.replace_header("Range", "bytes=0-99")
        self.assertEqual(self.send(request).code(), "SignatureDoesNotMatch")
        # A JSON body changed after signing.
        request = self.signed("POST", "/", "organizations", body=b"{}", headers={
            "Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": "AWSOrganizationsV20161128.ListAccounts"})
        request.data = b'{"MaxResults": 1}'
        reply = self.send(request)
        self.assertEqual((reply.status, reply.code()), (400, "InvalidSignatureException"))
        self.assertIn("The Canonical String for this request should have been", json.loads(reply.body)["message"])

    def test_wrong_secret_and_unknown_key(self):
        cases = [("s3", lambda c: c.list_objects_v2(Bucket=BUCKET), ("SignatureDoesNotMatch", 403),
                  ("InvalidAccessKeyId", 403)),
                 ("sts", lambda c: c.get_caller_identity(), ("SignatureDoesNotMatch", 403),
                  ("InvalidClientTokenId", 403)),
                 ("organizations", lambda c: c.list_accounts(), ("InvalidSignatureException", 400),
                  ("UnrecognizedClientException", 400)),
                 ("cur", lambda c: c.describe_report_definitions(), ("InvalidSignatureException", 400),
                  ("UnrecognizedClientException", 400))]
        for service, call, wrong_secret, unknown_key in cases:
            with self.assertRaises(ClientError) as ctx:
                call(self.client(service, secret=SK + "x"))
            self.assertAwsError(ctx, *wrong_secret)
            with self.assertRaises(ClientError) as ctx:
                call(self.client(service, key="AKIAUNKNOWNKEY000000"))
            self.assertAwsError(ctx, *unknown_key)
        self.assertEqual(len(self.server.requests()), 8)

    def test_s3_requires_content_sha256_and_checks_it(self):
        # Signed as a non-S3 service would be: no x-amz-content-sha256 header at all.
        request = self.signed("GET", "/%s/%s" % (BUCKET, MANIFEST_KEY), "s3")
        del request.headers["X-Amz-Content-SHA256"]
        request = self._resign(request, "s3")
        reply = self.send(request)
        self.assertEqual((reply.status, reply.code()), (400, "InvalidRequest"))
        self.assertIn(b"x-amz-content-sha256", reply.body)
        # A signed hash that is not the body's.
        request = self.signed("GET", "/%s/%s" % (BUCKET, MANIFEST_KEY), "s3",
                              headers={"X-Amz-Content-SHA256": hashlib.sha256(b"x").hexdigest()})
        request.headers.replace_header("X-Amz-Content-SHA256", hashlib.sha256(b"x").hexdigest())
        request = self._resign(request, "s3")
        reply = self.send(request)
        self.assertEqual((reply.status, reply.code()), (400, "XAmzContentSHA256Mismatch"))
        # UNSIGNED-PAYLOAD is accepted.
        request = self.signed("GET", "/%s/%s" % (BUCKET, MANIFEST_KEY), "s3")
        request.headers.replace_header("X-Amz-Content-SHA256", "UNSIGNED-PAYLOAD")
        self.assertEqual(self.send(self._resign(request, "s3")).status, 200)

    def _resign(self, request, service, region="us-east-1"):
        """Signs again over the request's current headers (keeps a replaced x-amz-content-sha256)."""
        auth = SigV4Auth(Credentials(AK, SK), service, region)
        for name in ("Authorization", "X-Amz-Date"):
            if name in request.headers:
                del request.headers[name]
        request.context["timestamp"] = amz_now()
        request.headers["X-Amz-Date"] = request.context["timestamp"]
        canonical = auth.canonical_request(request)
        auth._inject_signature_to_request(request, auth.signature(auth.string_to_sign(request, canonical), request))
        return request

    def test_unsigned_amz_header_and_missing_authorization(self):
        request = self.signed("GET", "/%s/%s" % (BUCKET, MANIFEST_KEY), "s3")
        request.headers["x-amz-checksum-mode"] = "ENABLED"
        reply = self.send(request)
        self.assertEqual((reply.status, reply.code()), (403, "AccessDenied"))
        self.assertIn(b"<HeadersNotSigned>x-amz-checksum-mode</HeadersNotSigned>", reply.body)
        anonymous = self.send(AWSRequest(method="GET", url=self.url + "/%s/%s" % (BUCKET, MANIFEST_KEY)))
        self.assertEqual((anonymous.status, anonymous.code()), (403, "AccessDenied"))
        anonymous = self.send(AWSRequest(method="POST", url=self.url + "/", data=b"{}", headers={
            "X-Amz-Target": "AWSOrganizationsV20161128.ListAccounts"}))
        self.assertEqual((anonymous.status, anonymous.code()), (400, "MissingAuthenticationTokenException"))

    def test_expired_session_credentials(self):
        key, secret, token, _ = self.assume(duration=900)
        s3 = self.client("s3", key, secret, token)
        self.assertEqual(s3.list_objects_v2(Bucket=BUCKET, Prefix="cur/report/")["KeyCount"], 2)
        # Natural expiry: 16 minutes later (client clock in step with the server's).
        later = 960
        self.server.set_clock_offset(later)
        reply = self.send(self.signed("GET", "/%s?list-type=2" % BUCKET, "s3", key=key, secret=secret, token=token,
                                      amz_date=amz_now(later)))
        self.assertEqual((reply.status, reply.code()), (400, "ExpiredToken"))
        self.server.set_clock_offset(0)
        # Forced expiry through the admin API.
        self.assertEqual(self.admin("POST", "/sessions/expire")[0], 200)
        with self.assertRaises(ClientError) as ctx:
            s3.list_objects_v2(Bucket=BUCKET)
        self.assertAwsError(ctx, "ExpiredToken", 400)
        with self.assertRaises(ClientError) as ctx:
            self.client("organizations", key, secret, token).list_accounts()
        self.assertAwsError(ctx, "ExpiredTokenException", 400)
        with self.assertRaises(ClientError) as ctx:
            self.client("sts", key, secret, token).get_caller_identity()
        self.assertAwsError(ctx, "ExpiredToken", 403)
        # A wrong session token, and a temporary key without its token.
        with self.assertRaises(ClientError) as ctx:
            self.client("s3", key, secret, token[:-4] + "AAAA").list_objects_v2(Bucket=BUCKET)
        self.assertAwsError(ctx, "InvalidToken", 400)
        with self.assertRaises(ClientError) as ctx:
            self.client("s3", key, secret).list_objects_v2(Bucket=BUCKET)
        self.assertAwsError(ctx, "InvalidAccessKeyId", 403)

    def test_clock_skew_limits(self):
        path = "/%s/%s" % (BUCKET, MANIFEST_KEY)
        self.assertEqual(self.send(self.signed("GET", path, "s3", amz_date=amz_now(-14 * 60))).status, 200)
        reply = self.send(self.signed("GET", path, "s3", amz_date=amz_now(-16 * 60)))
        self.assertEqual((reply.status, reply.code()), (403, "RequestTimeTooSkewed"))
        self.assertIn(b"<MaxAllowedSkewMilliseconds>900000</MaxAllowedSkewMilliseconds>", reply.body)
        target = "AWSOrganizationsV20161128.ListAccounts"
        self.assertEqual(self.json_call("organizations", target, {}, amz_date=amz_now(-4 * 60)).status, 200)
        reply = self.json_call("organizations", target, {}, amz_date=amz_now(-6 * 60))
        self.assertEqual((reply.status, reply.code()), (400, "InvalidSignatureException"))
        self.assertRegex(json.loads(reply.body)["message"], r"^Signature expired: \d{8}T\d{6}Z is now earlier than "
                         r"\d{8}T\d{6}Z \(\d{8}T\d{6}Z - 5 min\.\)$")
        reply = self.json_call("cur", "AWSOrigamiServiceGatewayService.DescribeReportDefinitions", {},
                               amz_date=amz_now(6 * 60))
        self.assertIn("Signature not yet current", json.loads(reply.body)["message"])
        body = b"Action=GetCallerIdentity&Version=2011-06-15"
        form = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}
        reply = self.send(self.signed("POST", "/", "sts", body=body, headers=form, amz_date=amz_now(-16 * 60)))
        self.assertEqual((reply.status, reply.code()), (403, "SignatureDoesNotMatch"))
        self.assertIn(b"Signature expired", reply.body)
        # The server clock moved instead: botocore (no skew correction) fails; Date shows the server time.
        self.server.set_clock_offset(20 * 60)
        with self.assertRaises(ClientError) as ctx:
            self.client("s3").get_object(Bucket=BUCKET, Key=MANIFEST_KEY)
        self.assertAwsError(ctx, "RequestTimeTooSkewed", 403)
        date = ctx.exception.response["ResponseMetadata"]["HTTPHeaders"]["date"]
        self.assertAlmostEqual(email.utils.parsedate_to_datetime(date).timestamp(), time.time() + 1200, delta=5)
        # Signing with the server's time (what edgecur's offset does) works again.
        self.assertEqual(self.send(self.signed("GET", path, "s3", amz_date=amz_now(20 * 60))).status, 200)

    def test_wrong_scope_is_rejected(self):
        reply = self.json_call("organizations", "AWSOrganizationsV20161128.ListAccounts", {}, region="eu-west-1")
        self.assertEqual((reply.status, reply.code()), (400, "InvalidSignatureException"))
        request = self.signed("POST", "/", "cur", body=b"{}", headers={
            "Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": "AWSOrganizationsV20161128.ListAccounts"})
        reply = self.send(request)
        self.assertIn("Credential should be scoped to correct service: 'organizations'", reply.body.decode())

    def test_access_denied_by_policy(self):
        self.server.configure(roles=CONFIG["roles"][:1] + [{"arn": ROLE_NOEXT, "deny": ["organizations:*",
                                                                                        "s3:bucket/" + EU_BUCKET]}])
        try:
            creds = self.client("sts").assume_role(RoleArn=ROLE_NOEXT, RoleSessionName="s1")["Credentials"]
            key, secret, token = creds["AccessKeyId"], creds["SecretAccessKey"], creds["SessionToken"]
            with self.assertRaises(ClientError) as ctx:
                self.client("organizations", key, secret, token).list_accounts()
            self.assertAwsError(ctx, "AccessDeniedException", 400)
            with self.assertRaises(ClientError) as ctx:
                self.client("s3", key, secret, token, region="eu-west-1").list_objects_v2(Bucket=EU_BUCKET)
            self.assertAwsError(ctx, "AccessDenied", 403)
            self.assertEqual(self.client("s3", key, secret, token).list_objects_v2(
                Bucket=BUCKET, Prefix="cur/report/")["KeyCount"], 2)
        finally:
            self.server.configure(roles=CONFIG["roles"])

    # -- faults ------------------------------------------------------------------------------------
    def raw_get(self, key, headers=None, timeout=10):
        """Returns (status, headers, bytes read, exception or None) without retrying anything."""
        request = self.signed("GET", "/%s/%s" % (BUCKET, urllib.parse.quote(key)), "s3", headers=headers)
        split = urllib.parse.urlsplit(request.url)
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            conn.putrequest("GET", split.path, skip_host=True, skip_accept_encoding=True)
            conn.putheader("Host", split.netloc)
            for name, value in request.headers.items():
                conn.putheader(name, value)
            conn.endheaders()
            response = conn.getresponse()
            data, error = b"", None
            try:
                while True:
                    piece = response.read1(4096)
                    if not piece:
                        break
                    data += piece
            except (http.client.IncompleteRead, ConnectionError, TimeoutError, OSError) as exc:
                error = exc
            if error is None and response.length:
                error = http.client.IncompleteRead(data, response.length)
            return response.status, response.headers, data, error
        finally:
            conn.close()

    def test_fault_cut_connection(self):
        self.server.add_fault(type="cut", key=DATA_KEY, after_bytes=5000, count=2)
        for _ in range(2):
            status, headers, data, error = self.raw_get(DATA_KEY)
            self.assertEqual((status, int(headers["Content-Length"])), (200, len(DATA)))
            self.assertEqual(data, DATA[:5000])
            self.assertIsNotNone(error)
        status, _, data, error = self.raw_get(DATA_KEY)
        self.assertEqual((status, data, error), (200, DATA, None))
        # botocore sees a short body too.
        self.server.add_fault(type="cut", key=DATA_KEY, after_bytes=100, mode="rst")
        body = self.client("s3").get_object(Bucket=BUCKET, Key=DATA_KEY)["Body"]
        with self.assertRaises(Exception) as ctx:
            body.read()
        self.assertRegex(type(ctx.exception).__name__, "IncompleteRead|ResponseStreamingError|ProtocolError|"
                         "ConnectionReset")
        log = self.server.requests()
        self.assertEqual([r["bytes_sent"] for r in log], [5000, 5000, len(DATA), 100])
        self.assertTrue(log[0]["faults"][0].startswith("cut#"))

    def test_fault_stall(self):
        self.server.add_fault(type="stall", seconds=0.4, operation="GetObject")
        started = time.monotonic()
        status, _, data, error = self.raw_get(MANIFEST_KEY)
        self.assertGreaterEqual(time.monotonic() - started, 0.4)
        self.assertEqual((status, error), (200, None))
        self.server.add_fault(type="stall", seconds=1.0, after_bytes=1000, key=DATA_KEY)
        status, _, data, error = self.raw_get(DATA_KEY, timeout=0.3)
        self.assertEqual((status, data), (200, DATA[:1000]))
        self.assertIsInstance(error, (TimeoutError, OSError))
        deadline = time.monotonic() + 5  # let the stalled response finish before the next test
        while not self.server.requests()[1:] and time.monotonic() < deadline:
            time.sleep(0.05)
        self.assertGreaterEqual(self.server.requests()[1]["bytes_sent"], 1000)
        self.assertTrue(self.server.requests()[1]["faults"][0].startswith("stall#"))

    def test_fault_replace_mid_read_then_if_match_fails(self):
        key = "replace/report-1.csv.gz"
        self.server.write_object(BUCKET, key, DATA)
        old = self.client("s3").head_object(Bucket=BUCKET, Key=key)["ETag"]
        self.server.add_fault(type="replace", bucket=BUCKET, key=key, after_bytes=48000,
                              content_b64=base64.b64encode(b"new content").decode())
        chunk = 32768
        status, headers, first, error = self.raw_get(key, {"Range": "bytes=0-%d" % (chunk - 1)})
        self.assertEqual((status, first, error, headers["ETag"]), (206, DATA[:chunk], None, old))
        # The object is replaced during this second chunk; the chunk in flight keeps the old bytes.
        status, headers, second, error = self.raw_get(key, {"Range": "bytes=%d-%d" % (chunk, 2 * chunk - 1),
                                                            "If-Match": old})
        self.assertEqual((status, second, error), (206, DATA[chunk:2 * chunk], None))
        self.assertEqual(self.object_bytes(key), b"new content")
        status, _, body, _ = self.raw_get(key, {"Range": "bytes=%d-%d" % (2 * chunk, 3 * chunk - 1),
                                                "If-Match": old})
        self.assertEqual(status, 412)
        self.assertIn(b"<Code>PreconditionFailed</Code>", body)
        new = self.client("s3").head_object(Bucket=BUCKET, Key=key)["ETag"]
        self.assertEqual(new, '"%s"' % hashlib.md5(b"new content").hexdigest())
        self.assertTrue(any(f.startswith("replace#") for f in self.server.requests()[2]["faults"]))

    def test_fault_throttle_and_internal_error(self):
        self.server.add_fault(type="throttle", service="s3", count=2)
        self.server.add_fault(type="throttle", service="organizations")
        self.server.add_fault(type="throttle", service="sts")
        self.server.add_fault(type="error", service="cur")
        s3 = self.client("s3")
        for _ in range(2):
            with self.assertRaises(ClientError) as ctx:
                s3.head_object(Bucket=BUCKET, Key=MANIFEST_KEY)
            self.assertEqual(ctx.exception.response["ResponseMetadata"]["HTTPStatusCode"], 503)
        with self.assertRaises(ClientError) as ctx:
            s3.list_objects_v2(Bucket="no-such-bucket")
        self.assertAwsError(ctx, "NoSuchBucket", 404)  # the throttle count ran out
        with self.assertRaises(ClientError) as ctx:
            self.client("organizations").list_accounts()
        self.assertAwsError(ctx, "ThrottlingException", 400)
        with self.assertRaises(ClientError) as ctx:
            self.client("sts").get_caller_identity()
        self.assertAwsError(ctx, "Throttling", 400)
        with self.assertRaises(ClientError) as ctx:
            self.client("cur").describe_report_definitions()
        self.assertAwsError(ctx, "InternalErrorException", 500)
        self.server.add_fault(type="error", service="s3", count=1)
        with self.assertRaises(ClientError) as ctx:
            s3.list_objects_v2(Bucket=BUCKET, Prefix="cur/")
        self.assertAwsError(ctx, "InternalError", 500)

    def test_client_retries_visible_in_log(self):
        self.server.add_fault(type="throttle", service="s3", operation="GetObject", count=2)
        s3 = self.client("s3", attempts=3)
        body = s3.get_object(Bucket=BUCKET, Key=MANIFEST_KEY)["Body"].read()
        self.assertEqual(body, self.object_bytes(MANIFEST_KEY))
        log = self.server.requests()
        self.assertEqual([(r["status"], r["error_code"]) for r in log],
                         [(503, "SlowDown"), (503, "SlowDown"), (200, None)])
        attempts = [re.search(r"attempt=(\d+)", r["headers"]["amz-sdk-request"]).group(1) for r in log]
        self.assertEqual(attempts, ["1", "2", "3"])

    # -- admin API, binding, command line -----------------------------------------------------
    def test_admin_http_api(self):
        status, result = self.admin("POST", "/faults", [{"type": "throttle", "service": "cur", "count": 3},
                                                        {"type": "cut", "after_bytes": 1}])
        self.assertEqual((status, len(result["ids"])), (200, 2))
        self.assertEqual([f["type"] for f in self.admin("GET", "/faults")[1]["faults"]], ["throttle", "cut"])
        self.assertEqual(self.admin("DELETE", "/faults")[1], {"ok": True})
        self.assertEqual(self.admin("GET", "/faults")[1]["faults"], [])
        self.assertEqual(self.admin("POST", "/faults", {"type": "explode"})[0], 400)
        status, result = self.admin("POST", "/clock", {"set": "20300101T000000Z"})
        self.assertEqual(result["now"][:12], "20300101T000")
        status, result = self.admin("POST", "/clock", {"offset": -30})
        self.assertAlmostEqual(result["offset"], -30)
        self.admin("POST", "/reset")
        self.assertEqual(self.admin("GET", "/clock")[1]["offset"], 0)
        self.assertEqual(self.admin("PUT", "/object/%s/admin/put%%20me.txt" % BUCKET, raw=b"via admin")[0], 200)
        self.assertEqual(self.client("s3").get_object(Bucket=BUCKET, Key="admin/put me.txt")["Body"].read(),
                         b"via admin")
        requests = self.admin("GET", "/log")[1]["requests"]
        self.assertEqual([(r["method"], r["path"], r["status"]) for r in requests],
                         [("GET", "/%s/admin/put%%20me.txt" % BUCKET, 200)])
        self.assertIn("Signature=<redacted>", requests[0]["headers"]["authorization"])
        self.assertNotRegex(json.dumps(requests), r"Signature=[0-9a-f]{64}")
        self.assertEqual(self.admin("DELETE", "/object/%s/admin/put%%20me.txt" % BUCKET)[0], 200)
        self.assertEqual(self.admin("DELETE", "/log")[1], {"ok": True})
        self.assertEqual(self.admin("GET", "/log")[1]["requests"], [])
        self.assertEqual(self.admin("GET", "/health")[1], {"ok": True, "port": self.port})

    def test_listens_on_loopback_only(self):
        listeners = []
        for table in ("/proc/net/tcp", "/proc/net/tcp6"):
            if not os.path.exists(table):
                continue
            with open(table, encoding="ascii") as handle:
                for line in handle.readlines()[1:]:
                    fields = line.split()
                    address, port = fields[1].split(":")
                    if fields[3] == "0A" and int(port, 16) == self.port:
                        listeners.append((table, address))
        self.assertEqual(listeners, [("/proc/net/tcp", "0100007F")])
        if shutil.which("ss"):
            out = subprocess.run(["ss", "-Hltn", "sport = :%d" % self.port], capture_output=True, text=True).stdout
            self.assertEqual([line.split()[3] for line in out.splitlines()], ["127.0.0.1:%d" % self.port])

    def test_command_line(self):
        work = tempfile.mkdtemp(prefix="standin-cli-")
        port_file = os.path.join(work, "port")
        config = json.dumps({"users": [{"access_key": AK, "secret_key": SK}]})
        process = subprocess.Popen([sys.executable, os.path.join(HERE, "standin.py"), "--root",
                                    os.path.join(work, "root"), "--port-file", port_file, "--config", config],
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            deadline = time.monotonic() + 15
            while not os.path.exists(port_file) and time.monotonic() < deadline and process.poll() is None:
                time.sleep(0.05)
            with open(port_file, encoding="ascii") as handle:
                port = int(handle.read())
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/__admin/health")
            self.assertEqual(json.loads(conn.getresponse().read()), {"ok": True, "port": port})
            conn.close()
            sts = _SESSION.create_client("sts", region_name="us-east-1", endpoint_url="http://127.0.0.1:%d" % port,
                                         aws_access_key_id=AK, aws_secret_access_key=SK)
            self.assertEqual(sts.get_caller_identity()["Account"], ACCOUNT)
            if hasattr(sts, "close"):
                sts.close()
        finally:
            process.send_signal(signal.SIGTERM)
            out, err = process.communicate(timeout=10)
            shutil.rmtree(work, ignore_errors=True)
        self.assertEqual(process.returncode, 0, err)
        self.assertIn(b"listening on 127.0.0.1:%d" % port, out)


if __name__ == "__main__":
    unittest.main()

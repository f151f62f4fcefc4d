# tests/e2e/report_bucket.py - CUR report objects on disk, laid out the way AWS delivers them.
"""Builds the objects of CUR report deliveries in a bucket directory from cur_generator output,
with correct manifests, decoys beside them, restatements, the matching API objects for the AWS
stand-in, and the report edgecur must print (the reference over exactly what the manifests name).

A bucket is a directory ROOT/<bucket>/ whose files are the objects (key = relative path): the
layout tests/aws/standin/standin.py serves, so the stand-in is started on the same ROOT. For
s3rver the objects are uploaded (ReportBucket.upload), for a `local` connection copied
(ReportBucket.copy_tree). Layouts follow ../shared/docs/CUR-FORMATS.md:

  legacy, CREATE_NEW_REPORT
    <prefix>/<name>/<YYYYMMDD-YYYYMMDD>/<assemblyId>/<name>-<N>.csv.gz
    <prefix>/<name>/<range>/<assemblyId>/<name>-Manifest.json    (never rewritten)
    <prefix>/<name>/<range>/<name>-Manifest.json                 (the latest delivery)
  legacy, OVERWRITE_REPORT
    <prefix>/<name>/<range>/<name>-<N>.csv.gz and <prefix>/<name>/<range>/<name>-Manifest.json
  CUR 2.0 (CREATE_NEW_REPORT adds the folder in brackets)
    <prefix>/<export>/data/BILLING_PERIOD=YYYY-MM/[<YYYYMMDDTHHMMSSZ>-<executionId>/]<export>-0000N.csv.gz
    <prefix>/<export>/metadata/BILLING_PERIOD=YYYY-MM/<export>-Manifest.json   (dataFiles: s3:// URLs)

Every file of a period comes from its own generator seed; the header is the same for all seeds.
Seeds are handed out in call order from the report's seed base, so a test is reproducible.
"""
import csv
import datetime
import gzip
import hashlib
import io
import json
import os
import shutil
import uuid
import zipfile

from e2e_support import generate, reference

# -- periods -----------------------------------------------------------------------------------


def month_bounds(period):
    """(start, end) datetimes (UTC, end exclusive) of "YYYY-MM"."""
    year, month = (int(part) for part in period.split("-"))
    start = datetime.datetime(year, month, 1, tzinfo=datetime.timezone.utc)
    end = datetime.datetime(year + (month == 12), month % 12 + 1, 1, tzinfo=datetime.timezone.utc)
    return start, end


def legacy_range(period):
    """"20240301-20240401": the legacy period folder."""
    start, end = month_bounds(period)
    return "%s-%s" % (start.strftime("%Y%m%d"), end.strftime("%Y%m%d"))


def recent_periods(count, now=None):
    """The `count` months up to and including the current one, oldest first ("YYYY-MM"). Tests
    use recent months so that no recheck window (recheck_days) can leave a period out."""
    now = now or datetime.datetime.now(datetime.timezone.utc)
    year, month = now.year, now.month
    periods = []
    for _ in range(count):
        periods.append("%04d-%02d" % (year, month))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return list(reversed(periods))


def md5_etag(path):
    """The ETag S3 (and the stand-in) gives a single-part object: the quoted MD5 of its bytes."""
    digest = hashlib.md5()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return '"%s"' % digest.hexdigest()


def read_header_and_payer(path):
    """(header names, payer account id of the first row) of a generated CUR file."""
    with open(path, "rb") as raw:
        magic = raw.read(4)
        raw.seek(0)
        if magic[:2] == b"\x1f\x8b":
            binary = gzip.GzipFile(fileobj=raw)
        elif magic == b"PK\x03\x04":
            archive = zipfile.ZipFile(raw)
            binary = archive.open(archive.infolist()[0])
        else:
            binary = raw
        reader = csv.reader(io.TextIOWrapper(binary, encoding="utf-8-sig", newline=""))
        header = next(reader)
        first = next(reader, None)
    payer = ""
    for column in ("bill/PayerAccountId", "bill_payer_account_id"):
        if first is not None and column in header:
            payer = first[header.index(column)]
    return header, payer


# -- objects -----------------------------------------------------------------------------------


class DataFile:
    """One data file of a delivery: its key and where its bytes are on disk."""

    def __init__(self, key, path, seed, rows):
        self.key = key
        self.path = path
        self.seed = seed
        self.rows = rows

    def __repr__(self):
        return "DataFile(%s, seed %s, %s rows)" % (self.key, self.seed, self.rows)


class Delivery:
    """One delivery of one billing period: its id (assemblyId / executionId), files, manifests.

    `objects` maps every key the delivery writes to the bytes' staging path; `applied` says whether
    they are in the bucket yet (see ReportBucket.apply)."""

    def __init__(self, period, delivery_id, files, manifest_key, manifest, objects):
        self.period = period
        self.delivery_id = delivery_id
        self.files = files
        self.manifest_key = manifest_key
        self.manifest = manifest
        self.objects = objects
        self.applied = False

    @property
    def keys(self):
        return [f.key for f in self.files]

    def __repr__(self):
        return "Delivery(%s, %s, %d files)" % (self.period, self.delivery_id, len(self.files))


class ReportBucket:
    """A bucket directory: ROOT/<name>/<key>. `stage` holds generated files before they are put."""

    def __init__(self, root, name="edgecur-cur-bucket", region="us-east-1"):
        self.root = os.path.abspath(root)
        self.name = name
        self.region = region
        self.dir = os.path.join(self.root, name)
        self.stage = os.path.join(self.root, ".stage-%s" % name)
        os.makedirs(self.dir, exist_ok=True)
        os.makedirs(self.stage, exist_ok=True)

    def path(self, key):
        return os.path.join(self.dir, *key.split("/"))

    def put(self, key, data=None, source=None):
        """Writes an object atomically (rename), from bytes or by copying the file `source`."""
        target = self.path(key)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        tmp = os.path.join(self.stage, "put-%s.tmp" % uuid.uuid4().hex)
        if source is not None:
            try:
                os.link(source, tmp)  # large benchmark files: no copy
            except OSError:
                shutil.copyfile(source, tmp)
        else:
            with open(tmp, "wb") as out:
                out.write(data)
        os.replace(tmp, target)

    def read(self, key):
        with open(self.path(key), "rb") as handle:
            return handle.read()

    def keys(self):
        """Every object key, sorted."""
        found = []
        for dirpath, _, filenames in os.walk(self.dir):
            rel = os.path.relpath(dirpath, self.dir)
            for name in filenames:
                found.append(name if rel == "." else "%s/%s" % (rel.replace(os.sep, "/"), name))
        return sorted(found)

    def apply(self, delivery):
        """Puts a staged delivery's objects in the bucket (data files first, manifests last, the
        order AWS writes them in)."""
        manifests = [k for k in delivery.objects if k.endswith("-Manifest.json")]
        for key in [k for k in delivery.objects if k not in manifests] + manifests:
            self.put(key, source=delivery.objects[key])
        for data_file in delivery.files:
            data_file.path = self.path(data_file.key)
        delivery.applied = True

    def copy_tree(self, dest, under=""):
        """Copies the objects whose key starts with `under` (a folder, "" for all) into `dest`,
        keeping the key below `under` as the relative path. Returns dest."""
        under = under.strip("/")
        source = os.path.join(self.dir, *under.split("/")) if under else self.dir
        shutil.copytree(source, dest, dirs_exist_ok=True)
        return dest

    def upload(self, client):
        """Puts every object into the bucket of the same name through a botocore S3 client."""
        for key in self.keys():
            with open(self.path(key), "rb") as handle:
                client.put_object(Bucket=self.name, Key=key, Body=handle.read())


# -- reports -----------------------------------------------------------------------------------


class _Report:
    """What legacy and CUR 2.0 reports share: seeds, generation, current deliveries, expected."""

    shape = None

    def __init__(self, bucket, name, prefix, versioning, compression, rows, files_per_period,
                 accounts, seed_base):
        if versioning not in ("CREATE_NEW_REPORT", "OVERWRITE_REPORT"):
            raise ValueError("versioning must be CREATE_NEW_REPORT or OVERWRITE_REPORT")
        if compression not in ("GZIP", "ZIP"):
            raise ValueError("compression must be GZIP or ZIP")
        self.bucket = bucket
        self.name = name
        self.prefix = prefix.strip("/")
        self.versioning = versioning
        self.compression = compression
        self.rows = rows
        self.files_per_period = files_per_period
        self.accounts = accounts
        self.next_seed = seed_base
        self.current = {}   # period -> the Delivery the top-level manifest names
        self.history = []   # every Delivery, in the order made
        self.account = ""

    @property
    def root_key(self):
        """"<prefix>/<name>/" (or "<name>/" with an empty prefix): every object's key starts so."""
        return ("%s/%s/" % (self.prefix, self.name)) if self.prefix else "%s/" % self.name

    @property
    def extension(self):
        return ".csv.gz" if self.compression == "GZIP" else ".csv.zip"

    def _generate(self, period, rows, tag):
        seed = self.next_seed
        self.next_seed += 1
        path = os.path.join(self.bucket.stage, "%s-%s-s%d%s" % (self.name, tag, seed, self.extension))
        generate(path, shape=self.shape, rows=rows, seed=seed, period=period,
                 encoding="--gzip" if self.compression == "GZIP" else "--zip",
                 extra=("--accounts", str(self.accounts)))
        return seed, path

    def deliver(self, period, files=None, rows=None, sources=None, apply=True):
        """Makes a new delivery of `period` (the first, or a restatement that replaces the one
        before): new id, `files` new data files of `rows` rows each (or the existing files
        `sources`), manifests rewritten. apply=False leaves the objects staged (Delivery.objects)
        so a test can put them itself (a `replace` fault); ReportBucket.apply puts them later."""
        files = files or self.files_per_period
        rows = rows or self.rows
        delivery_id = str(uuid.uuid4())
        made = []
        if sources:
            for index, source in enumerate(sources):
                made.append((None, source, None))
        else:
            for index in range(files):
                seed, path = self._generate(period, rows, "%s-%d" % (period, index + 1))
                made.append((seed, path, rows))
        header, payer = read_header_and_payer(made[0][1])
        self.account = self.account or payer
        keys = self._data_keys(period, delivery_id, len(made))
        data_files = [DataFile(key, path, seed, count) for key, (seed, path, count) in zip(keys, made)]
        manifest_key, manifest, extra = self._manifest(period, delivery_id, header, payer, keys)
        objects = {f.key: f.path for f in data_files}
        text = json.dumps(manifest, indent=2).encode()
        for key in [manifest_key] + extra:
            staged = os.path.join(self.bucket.stage, "manifest-%s.json" % uuid.uuid4().hex)
            with open(staged, "wb") as out:
                out.write(text)
            objects[key] = staged
        delivery = Delivery(period, delivery_id, data_files, manifest_key, manifest, objects)
        self.history.append(delivery)
        self.current[period] = delivery
        if apply:
            self.bucket.apply(delivery)
        return delivery

    restate = deliver

    def current_manifests(self):
        """{period: manifest dict} as read back from the bucket's top-level manifests."""
        found = {}
        for period in sorted(self.current):
            key = self._top_manifest_key(period)
            found[period] = json.loads(self.bucket.read(key).decode())
        return found

    def manifest_data_keys(self):
        """{period: [data keys]} named by the top-level manifests now in the bucket."""
        return {period: self._keys_of(manifest) for period, manifest in self.current_manifests().items()}

    def data_files(self):
        """Paths (in the bucket) of exactly the data files the top-level manifests name."""
        paths = []
        for period, keys in sorted(self.manifest_data_keys().items()):
            paths.extend(self.bucket.path(key) for key in keys)
        return paths

    def expected(self, by="hour"):
        """The report edgecur must print: the reference over the files the manifests name."""
        return reference(self.data_files(), by=by)

    def period_lines(self, report_text, period):
        return [line for line in report_text.splitlines() if line.startswith(period + ",")]


class LegacyReport(_Report):
    """A legacy CUR report (report definition in the `cur` API)."""

    shape = "legacy"

    def __init__(self, bucket, name="edgecur-hourly", prefix="cur/reports",
                 versioning="CREATE_NEW_REPORT", compression="GZIP", rows=1500, files_per_period=2,
                 accounts=4, seed_base=1000):
        super().__init__(bucket, name, prefix, versioning, compression, rows, files_per_period,
                         accounts, seed_base)

    def period_key(self, period):
        return "%s%s/" % (self.root_key, legacy_range(period))

    def _top_manifest_key(self, period):
        return "%s%s-Manifest.json" % (self.period_key(period), self.name)

    def _data_keys(self, period, delivery_id, count):
        folder = self.period_key(period)
        if self.versioning == "CREATE_NEW_REPORT":
            folder += delivery_id + "/"
        return ["%s%s-%d%s" % (folder, self.name, n + 1, self.extension) for n in range(count)]

    @staticmethod
    def _keys_of(manifest):
        return list(manifest["reportKeys"])

    def _manifest(self, period, delivery_id, header, payer, keys):
        start, end = month_bounds(period)
        columns = []
        for column in header:
            category, _, name = column.partition("/")
            columns.append({"category": category, "name": name})
        folder = self.period_key(period)
        artifacts = []
        if self.versioning == "CREATE_NEW_REPORT":
            base = "%s%s/%s" % (folder, delivery_id, self.name)
            artifacts = [{"artifactType": "RedshiftCommands", "name": base + "-RedshiftCommands.sql"},
                         {"artifactType": "RedshiftManifest", "name": base + "-RedshiftManifest.json"}]
        manifest = {
            "assemblyId": delivery_id,
            "account": payer,
            "columns": columns,
            "charset": "UTF-8",
            "compression": self.compression,
            "contentType": "text/csv",
            "reportId": hashlib.sha256(("%s/%s" % (self.bucket.name, self.name)).encode()).hexdigest(),
            "reportName": self.name,
            "billingPeriod": {"start": start.strftime("%Y%m%dT000000.000Z"),
                              "end": end.strftime("%Y%m%dT000000.000Z")},
            "bucket": self.bucket.name,
            "reportKeys": keys,
            "additionalArtifactKeys": artifacts,
        }
        extra = []
        if self.versioning == "CREATE_NEW_REPORT":
            extra.append("%s%s/%s-Manifest.json" % (folder, delivery_id, self.name))
        return self._top_manifest_key(period), manifest, extra

    def add_decoys(self, period):
        """Objects a reader must ignore, beside `period`'s delivery: an older assembly folder with
        its own data and manifest (never named by the top-level manifest), Redshift artefacts,
        the Athena status folder, and a sibling report whose name starts with this one's."""
        folder = self.period_key(period)
        old_id = str(uuid.uuid4())
        seed, path = self._generate(period, max(200, self.rows // 4), "decoy-%s" % period)
        old_key = "%s%s/%s-1%s" % (folder, old_id, self.name, self.extension)
        self.bucket.put(old_key, source=path)
        header, payer = read_header_and_payer(path)
        _, old_manifest, _ = self._manifest(period, old_id, header, payer, [old_key])
        self.bucket.put("%s%s/%s-Manifest.json" % (folder, old_id, self.name),
                        json.dumps(old_manifest, indent=2).encode())
        current = self.current.get(period)
        if current is not None and self.versioning == "CREATE_NEW_REPORT":
            base = "%s%s/%s" % (folder, current.delivery_id, self.name)
            self.bucket.put(base + "-RedshiftCommands.sql", b"COPY billing FROM 's3://...';\n")
            self.bucket.put(base + "-RedshiftManifest.json", b'{"entries": []}\n')
        self.bucket.put(self.root_key + "cost_and_usage_data_status/cost_and_usage_data_status.parquet",
                        b"PAR1\x00decoy\x00PAR1")
        self.bucket.put(self.root_key + "crawler-cfn.yml", b"AWSTemplateFormatVersion: 2010-09-09\n")
        # A sibling report: listing "<prefix>/<name>" without the '/' would take it in.
        sibling = "%s%s-old/%s/" % (self.prefix + "/" if self.prefix else "", self.name, legacy_range(period))
        self.bucket.put(sibling + "%s-old-1%s" % (self.name, self.extension), source=path)
        _, sibling_manifest, _ = self._manifest(period, str(uuid.uuid4()), header, payer,
                                                [sibling + "%s-old-1%s" % (self.name, self.extension)])
        sibling_manifest["reportName"] = self.name + "-old"
        self.bucket.put(sibling + "%s-old-Manifest.json" % self.name,
                        json.dumps(sibling_manifest, indent=2).encode())
        return [old_key]

    def report_definition(self, region=None):
        """The ReportDefinition DescribeReportDefinitions returns for this report."""
        return {
            "ReportName": self.name,
            "TimeUnit": "HOURLY",
            "Format": "textORcsv",
            "Compression": self.compression,
            "AdditionalSchemaElements": ["RESOURCES"],
            "S3Bucket": self.bucket.name,
            "S3Prefix": self.prefix,
            "S3Region": region or self.bucket.region,
            "AdditionalArtifacts": ["REDSHIFT"],
            "RefreshClosedReports": True,
            "ReportVersioning": self.versioning,
            "ReportStatus": {"lastDelivery": "20261101T000000Z", "lastStatus": "SUCCESS"},
        }


class Cur2Export(_Report):
    """A CUR 2.0 data export (Data Exports API)."""

    shape = "cur2"

    def __init__(self, bucket, name="edgecur-cur2", prefix="exports", versioning="CREATE_NEW_REPORT",
                 compression="GZIP", rows=1500, files_per_period=2, accounts=4, seed_base=5000,
                 account_id="123456789012"):
        super().__init__(bucket, name, prefix, versioning, compression, rows, files_per_period,
                         accounts, seed_base)
        self.arn = "arn:aws:bcm-data-exports:us-east-1:%s:export/%s-%s" % (
            account_id, name, hashlib.sha1(name.encode()).hexdigest()[:8])

    def data_folder(self, period):
        return "%sdata/BILLING_PERIOD=%s/" % (self.root_key, period)

    def _top_manifest_key(self, period):
        return "%smetadata/BILLING_PERIOD=%s/%s-Manifest.json" % (self.root_key, period, self.name)

    def _data_keys(self, period, delivery_id, count):
        folder = self.data_folder(period)
        if self.versioning == "CREATE_NEW_REPORT":
            stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
            folder += "%s-%s/" % (stamp, delivery_id)
        return ["%s%s-%05d%s" % (folder, self.name, n + 1, self.extension) for n in range(count)]

    def _keys_of(self, manifest):
        keys = []
        for url in manifest["dataFiles"]:
            bucket, _, key = url[len("s3://"):].partition("/")
            if not url.startswith("s3://") or bucket != self.bucket.name:
                raise ValueError("manifest names %s outside the bucket" % url)
            keys.append(key)
        return keys

    def _manifest(self, period, delivery_id, header, payer, keys):
        start, end = month_bounds(period)
        manifest = {
            "executionId": delivery_id,
            "exportArn": self.arn,
            "exportName": self.name,
            "billingPeriod": {"start": start.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
                              "end": end.strftime("%Y-%m-%dT%H:%M:%S.000Z")},
            "bucket": self.bucket.name,
            "columns": [{"name": column, "type": "string"} for column in header],
            "compression": self.compression,
            "format": "TEXT_OR_CSV",
            "dataFiles": ["s3://%s/%s" % (self.bucket.name, key) for key in keys],
        }
        return self._top_manifest_key(period), manifest, []

    def add_decoys(self, period):
        """An older execution folder not named by the manifest, and a sibling export."""
        seed, path = self._generate(period, max(200, self.rows // 4), "decoy-%s" % period)
        old_key = "%s20200101T000000Z-%s/%s-00001%s" % (self.data_folder(period), uuid.uuid4(),
                                                        self.name, self.extension)
        self.bucket.put(old_key, source=path)
        sibling_root = "%s%s-v2/" % (self.prefix + "/" if self.prefix else "", self.name)
        sibling = "%sdata/BILLING_PERIOD=%s/%s-v2-00001%s" % (sibling_root, period, self.name,
                                                             self.extension)
        self.bucket.put(sibling, source=path)
        header, payer = read_header_and_payer(path)
        _, manifest, _ = self._manifest(period, str(uuid.uuid4()), header, payer, [sibling])
        manifest["exportName"] = self.name + "-v2"
        self.bucket.put("%smetadata/BILLING_PERIOD=%s/%s-v2-Manifest.json" % (sibling_root, period, self.name),
                        json.dumps(manifest, indent=2).encode())
        return [old_key]

    def export(self, region=None):
        """The Export object GetExport returns (and the stand-in's "exports" entry)."""
        return {
            "ExportArn": self.arn,
            "Name": self.name,
            "Description": "edgecur e2e export",
            "DataQuery": {"QueryStatement": "SELECT * FROM COST_AND_USAGE_REPORT",
                          "TableConfigurations": {"COST_AND_USAGE_REPORT": {
                              "TIME_GRANULARITY": "HOURLY", "INCLUDE_RESOURCES": "TRUE",
                              "INCLUDE_SPLIT_COST_ALLOCATION_DATA": "FALSE",
                              "INCLUDE_MANUAL_DISCOUNT_COMPATIBILITY": "FALSE"}}},
            "DestinationConfigurations": {"S3Destination": {
                "S3Bucket": self.bucket.name, "S3Prefix": self.prefix,
                "S3Region": region or self.bucket.region,
                "S3OutputConfigurations": {"OutputType": "CUSTOM", "Format": "TEXT_OR_CSV",
                                           "Compression": self.compression,
                                           "Overwrite": self.versioning}}},
            "RefreshCadence": {"Frequency": "SYNCHRONOUS"},
        }


def build(report, periods, decoys=True):
    """Delivers every period of `periods` once (and decoys beside each); returns the report."""
    for period in periods:
        report.deliver(period)
        if decoys:
            report.add_decoys(period)
    return report


def standin_config(reports=(), exports=(), buckets=(), identity=None, **extra):
    """The stand-in config for these reports (report_definitions), exports and buckets (their
    regions), merged with an identity (users and roles, see aws_peers.Identity.config())."""
    config = {"report_definitions": [r.report_definition() for r in reports],
              "exports": [e.export() for e in exports],
              "buckets": {b.name: {"region": b.region} for b in buckets}}
    if identity is not None:
        config.update(identity.config())
    config.update(extra)
    return config

#!/usr/bin/env python3
# tests/aws/standin/standin.py - Local AWS stand-in (STS, CUR, Data Exports, Organizations, S3) for network tests.
"""A single-process HTTP server on 127.0.0.1 that answers the AWS calls edgecur makes, the way AWS
answers them (../shared/docs/AWS-WIRE.md), checks every SigV4 signature by recomputing it with
botocore, and injects faults on request. It never opens a connection to anything.

Run:   python3 tests/aws/standin/standin.py --root DIR --port-file F [--config JSON|FILE] [--port N]
Use:   from standin import StandIn; s = StandIn(root, config); port = s.start(); ...; s.stop()

Which service answers is decided per request: an X-Amz-Target header picks the JSON 1.1 service by
its prefix (CUR, Data Exports, Organizations); a form POST to / (or a Host sts.*) is STS; anything
else is S3, path style, or virtual-host style when the Host is `<bucket>.s3.<anything>` or
`<bucket>.localhost`. S3 objects are files under ROOT/<bucket>/<key>; dot-directories in ROOT are
not buckets.

Config (JSON; every key optional):
  account_id            "123456789012"
  default_region        "us-east-1" (region of buckets not listed in "buckets")
  users                 [{"access_key", "secret_key", "arn"?, "session_token"?, "expiration"?
                          (ISO 8601, for a fixed temporary credential), "deny"?: ["s3:GetObject",
                          "organizations:*", "s3:bucket/<name>", ...]}]
  roles                 [{"arn", "external_id"?, "max_session_duration"? (3600), "trusted"?:
                          [access keys or ARNs allowed to assume it], "deny"?: [...]}]
  buckets               {"<name>": {"region": "eu-west-1"}}
  sts_disabled_regions  ["ap-east-1"]  -> RegionDisabledException for AssumeRole signed there
  report_definitions    [ReportDefinition objects as DescribeReportDefinitions returns them]
  exports               [Export objects as GetExport returns them (ExportArn, Name, ...)]
  accounts              [Organizations Account objects]; default: the management account only
  accounts_page_sizes   [2, 0, 1]: sizes of the ListAccounts pages in order (0 = an empty page that
                          still carries NextToken); after the list, pages of MaxResults
  organizations_enabled true (false -> AWSOrganizationsNotInUseException)
  multipart_etags       {"<bucket>/<key glob>": parts}: such objects get "<md5 of md5s>-<parts>" ETags
  skew_seconds          {"s3": 900, "sts": 900, "json": 300}
  session_token_bytes   600 (random bytes in an issued session token; base64, contains / + =)
  clock_offset          0 (seconds added to the server clock)

Admin API (no signature; JSON in and out; 127.0.0.1 only like the rest):
  GET    /__admin/health                 {"ok": true, "port": N}
  GET    /__admin/log                    {"requests": [{seq, time, method, path, query, params,
                                          headers, body?, service, operation, status, error_code,
                                          bytes_sent, faults}]}; Authorization's Signature= value
                                          is replaced by "<redacted>"
  DELETE /__admin/log                    clears the log (also POST /__admin/log/clear)
  POST   /__admin/faults                 a fault object or a list of them -> {"ids": [...]}
  GET    /__admin/faults                 the faults still armed;  DELETE /__admin/faults clears
  POST   /__admin/clock                  {"offset": S} or {"set": "YYYYMMDDTHHMMSSZ"} -> {"offset", "now"}
  GET    /__admin/clock
  POST   /__admin/sessions/expire        every issued (and configured temporary) credential expires
  GET    /__admin/sessions               issued credentials (no secrets)
  GET    /__admin/config                 current config;  POST /__admin/config merges keys into it
  POST   /__admin/reset                  clears faults, log and clock offset
  PUT    /__admin/object/<bucket>/<key>  body = new content (atomic replace);  DELETE removes it

Fault objects: {"type": T, "count": K (default 1, -1 = forever), match keys...}; match keys, all
optional: "service" (s3|sts|cur|bcm-data-exports|organizations), "operation" (GetObject, ListObjectsV2,
AssumeRole, ListAccounts, ...), "method", "bucket", "key" (glob). Types:
  cut       {"after_bytes": N, "mode": "fin"|"rst"}: send headers and N body bytes, then close
  stall     {"seconds": T, "after_bytes": N?}: without after_bytes, before the response; else inside
  throttle  {"code"?, "status"?}: S3 503 SlowDown, STS 400 Throttling, JSON 400 ThrottlingException
  error     {"code"?, "status"?, "message"?}: S3 500 InternalError, STS 500 InternalFailure, CUR
            InternalErrorException, Organizations ServiceException, Data Exports InternalServerException
  replace   {"bucket", "key", "after_bytes": N, "content"? | "content_b64"?}: once N bytes of the object
            were served (over all responses), its file is replaced (new ETag); the response in flight
            keeps serving the old bytes. Default new content: old content + b"\\n#replaced\\n".
Throttle and error faults apply after the request authenticated.
"""

import argparse
import base64
import calendar
import datetime
import email.utils
import fnmatch
import hashlib
import hmac
import http.server
import json
import os
import re
import secrets
import signal
import socket
import socketserver
import struct
import sys
import threading
import time
import urllib.parse
import uuid
from xml.sax.saxutils import escape as _xml_escape

from botocore.auth import S3SigV4Auth, SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.compat import HTTPHeaders
from botocore.credentials import ReadOnlyCredentials

EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()
UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD"
S3_NS = "http://s3.amazonaws.com/doc/2006-03-01/"
STS_NS = "https://sts.amazonaws.com/doc/2011-06-15/"
JSON_TARGETS = {
    "AWSOrigamiServiceGatewayService": "cur",
    "AWSBillingAndCostManagementDataExports": "bcm-data-exports",
    "AWSOrganizationsV20161128": "organizations",
}
JSON_OPERATIONS = {
    "cur": {"DescribeReportDefinitions"},
    "bcm-data-exports": {"ListExports", "GetExport"},
    "organizations": {"ListAccounts"},
}
# Services served only from us-east-1 (AWS-WIRE.md, endpoints table).
JSON_REGION = "us-east-1"
AMZ_DATE = "%Y%m%dT%H%M%SZ"
MAX_BODY = 16 * 1024 * 1024
S3_MAX_KEYS = 1000
CHUNK = 64 * 1024

DEFAULT_CONFIG = {
    "account_id": "123456789012",
    "default_region": "us-east-1",
    "users": [],
    "roles": [],
    "buckets": {},
    "sts_disabled_regions": [],
    "report_definitions": [],
    "exports": [],
    "accounts": None,
    "accounts_page_sizes": [],
    "organizations_enabled": True,
    "multipart_etags": {},
    "skew_seconds": {"s3": 900, "sts": 900, "json": 300},
    "session_token_bytes": 600,
    "clock_offset": 0,
}


def _x(text):
    return _xml_escape(str(text))


def _iso(epoch):
    return datetime.datetime.fromtimestamp(epoch, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _iso_ms(epoch):
    dt = datetime.datetime.fromtimestamp(epoch, datetime.timezone.utc)
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (dt.microsecond // 1000)


def _amz(epoch):
    return datetime.datetime.fromtimestamp(epoch, datetime.timezone.utc).strftime(AMZ_DATE)


def _parse_amz(text):
    try:
        dt = datetime.datetime.strptime(text, AMZ_DATE)
    except (TypeError, ValueError):
        return None
    return calendar.timegm(dt.timetuple())


def _parse_iso(text):
    text = text.replace("Z", "+00:00")
    return datetime.datetime.fromisoformat(text).timestamp()


def _http_date(epoch):
    return email.utils.formatdate(epoch, usegmt=True)


def _request_id():
    return secrets.token_hex(8).upper()


class AwsError(Exception):
    """An AWS error answer: code, HTTP status, message, extra S3 <Error> children, extra headers."""

    def __init__(self, code, status, message, extra=None, headers=None, type_prefix="", member="message"):
        super().__init__(code)
        self.code = code
        self.status = status
        self.message = message
        self.extra = extra or []
        self.headers = headers or {}
        self.type_prefix = type_prefix
        self.member = member


CORAL = "com.amazon.coral.service#"
SIG_MISMATCH_S3 = ("The request signature we calculated does not match the signature you provided. "
                   "Check your key and signing method.")
SIG_MISMATCH = ("The request signature we calculated does not match the signature you provided. "
                "Check your AWS Secret Access Key and signing method. Consult the service documentation for details.")


def auth_error(kind, service, message=None, extra=None):
    """Maps an authentication failure to the code/status each protocol family returns."""
    family = "s3" if service == "s3" else ("sts" if service == "sts" else "json")
    table = {
        "missing": {
            "s3": ("AccessDenied", 403, "Access Denied"),
            "sts": ("MissingAuthenticationToken", 403, "Request is missing Authentication Token"),
            "json": ("MissingAuthenticationTokenException", 400, "Missing Authentication Token"),
        },
        "malformed": {
            "s3": ("AuthorizationHeaderMalformed", 400, "The authorization header is malformed."),
            "sts": ("IncompleteSignature", 400, "The request signature does not conform to AWS standards."),
            "json": ("IncompleteSignatureException", 400, "The request signature does not conform to AWS standards."),
        },
        "unsupported": {
            "s3": ("InvalidRequest", 400, "The authorization mechanism you have provided is not supported. "
                   "Please use AWS4-HMAC-SHA256."),
            "sts": ("IncompleteSignature", 400, "Unsupported authorization type"),
            "json": ("IncompleteSignatureException", 400, "Unsupported authorization type"),
        },
        "unknown_key": {
            "s3": ("InvalidAccessKeyId", 403, "The AWS Access Key Id you provided does not exist in our records."),
            "sts": ("InvalidClientTokenId", 403, "The security token included in the request is invalid."),
            "json": ("UnrecognizedClientException", 400, "The security token included in the request is invalid."),
        },
        "bad_token": {
            "s3": ("InvalidToken", 400, "The provided token is malformed or otherwise invalid."),
            "sts": ("InvalidClientTokenId", 403, "The security token included in the request is invalid."),
            "json": ("UnrecognizedClientException", 400, "The security token included in the request is invalid."),
        },
        "expired_token": {
            "s3": ("ExpiredToken", 400, "The provided token has expired."),
            "sts": ("ExpiredToken", 403, "The security token included in the request is expired"),
            "json": ("ExpiredTokenException", 400, "The security token included in the request is expired"),
        },
        "signature": {
            "s3": ("SignatureDoesNotMatch", 403, SIG_MISMATCH_S3),
            "sts": ("SignatureDoesNotMatch", 403, SIG_MISMATCH),
            "json": ("InvalidSignatureException", 400, SIG_MISMATCH),
        },
        "skew": {
            "s3": ("RequestTimeTooSkewed", 403,
                   "The difference between the request time and the current time is too large."),
            "sts": ("SignatureDoesNotMatch", 403, "Signature expired"),
            "json": ("InvalidSignatureException", 400, "Signature expired"),
        },
        "scope": {
            "s3": ("AuthorizationHeaderMalformed", 400, "The authorization header is malformed."),
            "sts": ("SignatureDoesNotMatch", 403, "Credential should be scoped to a valid region."),
            "json": ("InvalidSignatureException", 400, "Credential should be scoped to a valid region."),
        },
        "unsigned": {
            "s3": ("AccessDenied", 403, "There were headers present in the request which were not signed"),
            "sts": ("SignatureDoesNotMatch", 403, "There were headers present in the request which were not signed"),
            "json": ("InvalidSignatureException", 400,
                     "There were headers present in the request which were not signed"),
        },
        "denied": {
            "s3": ("AccessDenied", 403, "Access Denied"),
            "sts": ("AccessDenied", 403, "Access denied"),
            "json": ("AccessDeniedException", 400, "Access denied"),
        },
    }
    code, status, default_message = table[kind][family]
    prefix = CORAL if family == "json" and kind != "denied" else ""
    return AwsError(code, status, message or default_message, extra=extra, type_prefix=prefix)


class Clock:
    """The server clock: real time plus an offset tests can move."""

    def __init__(self, offset=0.0):
        self.offset = float(offset)

    def now(self):
        return time.time() + self.offset


class VerifyMixin:
    """Signs exactly the headers the client listed in SignedHeaders (botocore would pick its own)."""

    def __init__(self, credentials, service, region, signed_names):
        super().__init__(credentials, service, region)
        self._signed_names = signed_names

    def headers_to_sign(self, request):
        header_map = HTTPHeaders()
        for name in self._signed_names:
            for value in request.headers.get_all(name) or []:
                header_map[name] = value
        return header_map


class VerifySigV4(VerifyMixin, SigV4Auth):
    pass


class VerifyS3SigV4(VerifyMixin, S3SigV4Auth):
    pass


class Ctx:
    """One received request, parsed."""

    def __init__(self):
        self.method = ""
        self.raw_path = ""
        self.raw_query = ""
        self.params = []
        self.headers = None
        self.body = b""
        self.host = ""
        self.service = ""
        self.operation = ""
        self.bucket = None
        self.key = None
        self.region_hint = None
        self.faults = []
        self.request_id = _request_id()
        self.error_code = None
        self.sts_params = None
        self.sts_region = None
        self.json_body = None

    def header(self, name, default=None):
        value = self.headers.get(name) if self.headers is not None else None
        return default if value is None else value

    def param(self, name, default=None):
        for key, value in self.params:
            if key == name:
                return value
        return default

    def has_param(self, name):
        return any(key == name for key, _ in self.params)


class Body:
    """A response body: bytes, or a byte range of an open file descriptor."""

    def __init__(self, data=b"", fd=None, offset=0, length=None, bucket=None, key=None):
        self.data = data
        self.fd = fd
        self.offset = offset
        self.length = len(data) if fd is None else length
        self.bucket = bucket
        self.key = key

    def chunks(self):
        if self.fd is None:
            for i in range(0, len(self.data), CHUNK):
                yield self.data[i:i + CHUNK]
            return
        pos, end = self.offset, self.offset + self.length
        while pos < end:
            piece = os.pread(self.fd, min(CHUNK, end - pos), pos)
            if not piece:
                break
            pos += len(piece)
            yield piece

    def close(self):
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None


class Response:
    def __init__(self, status, headers=None, body=None):
        self.status = status
        self.headers = headers or []
        self.body = body or Body()


class Faults:
    """Armed faults; take() consumes one use of the first matching fault of a type."""

    TYPES = ("cut", "stall", "throttle", "error", "replace")

    def __init__(self, lock):
        self.lock = lock
        self.items = []
        self.next_id = 1

    def add(self, spec):
        if not isinstance(spec, dict) or spec.get("type") not in self.TYPES:
            raise ValueError("fault needs a type among %s" % ", ".join(self.TYPES))
        fault = dict(spec)
        fault.setdefault("count", 1)
        fault["id"] = self.next_id
        fault["served"] = 0
        self.next_id += 1
        if fault["type"] == "replace" and (not fault.get("bucket") or not fault.get("key")):
            raise ValueError("replace fault needs bucket and key")
        if fault["type"] == "stall" and "seconds" not in fault:
            raise ValueError("stall fault needs seconds")
        self.items.append(fault)
        return fault["id"]

    @staticmethod
    def matches(fault, ctx):
        for field in ("service", "operation", "method", "bucket"):
            if fault.get(field) is not None and fault[field] != getattr(ctx, field):
                return False
        if fault.get("key") is not None:
            if ctx.key is None or not fnmatch.fnmatchcase(ctx.key, fault["key"]):
                return False
        return True

    def take(self, kind, ctx, predicate=None):
        with self.lock:
            for fault in self.items:
                if fault["type"] != kind or fault["count"] == 0 or not self.matches(fault, ctx):
                    continue
                if predicate is not None and not predicate(fault):
                    continue
                if fault["count"] > 0:
                    fault["count"] -= 1
                ctx.faults.append("%s#%d" % (kind, fault["id"]))
                return dict(fault)
            return None

    def armed(self):
        with self.lock:
            return [dict(f) for f in self.items if f["count"] != 0]

    def clear(self):
        with self.lock:
            self.items = []


class State:
    """Everything the server knows: config, credentials issued, clock, faults, request log."""

    def __init__(self, root, config=None):
        self.root = os.path.abspath(root)
        self.lock = threading.RLock()
        self.config = json.loads(json.dumps(DEFAULT_CONFIG))
        self.sessions = {}
        self.tokens = {}
        self.log = []
        self.seq = 0
        self.etag_cache = {}
        self.faults = Faults(self.lock)
        self.clock = Clock()
        self.stop_event = threading.Event()
        if config:
            self.merge_config(config)

    # -- configuration ---------------------------------------------------------------------------
    def merge_config(self, update):
        with self.lock:
            for key, value in update.items():
                if key == "faults":
                    for spec in value:
                        self.faults.add(spec)
                elif key == "skew_seconds":
                    self.config["skew_seconds"].update(value)
                elif key == "clock_offset":
                    self.clock.offset = float(value)
                    self.config["clock_offset"] = value
                else:
                    self.config[key] = value

    def skew_limit(self, service):
        family = "s3" if service == "s3" else ("sts" if service == "sts" else "json")
        return float(self.config["skew_seconds"][family])

    def bucket_region(self, bucket):
        entry = self.config["buckets"].get(bucket) or {}
        return entry.get("region", self.config["default_region"])

    def bucket_dir(self, bucket):
        if not bucket or bucket.startswith(".") or "/" in bucket or bucket in ("..",):
            return None
        path = os.path.join(self.root, bucket)
        return path if os.path.isdir(path) else None

    # -- principals ------------------------------------------------------------------------------
    def find_principal(self, access_key):
        """Returns a dict {access_key, secret_key, arn, token, expiration, deny, kind} or None."""
        with self.lock:
            session = self.sessions.get(access_key)
            if session is not None:
                return session
            for user in self.config["users"]:
                if user.get("access_key") == access_key:
                    expiration = user.get("expiration")
                    return {
                        "access_key": access_key,
                        "secret_key": user["secret_key"],
                        "arn": user.get("arn", "arn:aws:iam::%s:user/%s" % (self.config["account_id"],
                                                                           user.get("name", "edge"))),
                        "token": user.get("session_token"),
                        "expiration": _parse_iso(expiration) if expiration else None,
                        "expired": bool(user.get("expired")),
                        "deny": user.get("deny", []),
                        "kind": "temporary" if user.get("session_token") else "user",
                    }
            return None

    def find_role(self, arn):
        for role in self.config["roles"]:
            if role.get("arn") == arn:
                return role
        return None

    def expire_sessions(self):
        with self.lock:
            for session in self.sessions.values():
                session["expired"] = True
            for user in self.config["users"]:
                if user.get("session_token"):
                    user["expired"] = True
            return len(self.sessions)

    # -- log -------------------------------------------------------------------------------------
    def record(self, entry):
        with self.lock:
            self.seq += 1
            entry["seq"] = self.seq
            self.log.append(entry)

    # -- objects ---------------------------------------------------------------------------------
    def object_path(self, bucket, key):
        base = self.bucket_dir(bucket)
        if base is None or not key or key.endswith("/"):
            return None
        parts = key.split("/")
        if any(part in ("", ".", "..") for part in parts):
            return None
        path = os.path.join(base, *parts)
        real = os.path.realpath(path)
        if not real.startswith(os.path.realpath(base) + os.sep):
            return None
        return path

    def etag_for(self, bucket, key, fd, st):
        cache_key = (st.st_dev, st.st_ino, st.st_mtime_ns, st.st_size)
        with self.lock:
            cached = self.etag_cache.get(cache_key)
        if cached is not None:
            return cached
        parts = None
        for pattern, count in self.config["multipart_etags"].items():
            if fnmatch.fnmatchcase("%s/%s" % (bucket, key), pattern):
                parts = max(1, int(count))
        if parts is None:
            digest = hashlib.md5()
            pos = 0
            while pos < st.st_size:
                piece = os.pread(fd, 1 << 20, pos)
                if not piece:
                    break
                digest.update(piece)
                pos += len(piece)
            etag = '"%s"' % digest.hexdigest()
        else:
            part_size = max(1, -(-st.st_size // parts))
            md5s = b""
            for i in range(parts):
                piece = os.pread(fd, part_size, i * part_size)
                md5s += hashlib.md5(piece).digest()
            etag = '"%s-%d"' % (hashlib.md5(md5s).hexdigest(), parts)
        with self.lock:
            self.etag_cache[cache_key] = etag
        return etag

    def write_object(self, bucket, key, data):
        """Atomically replaces (or creates) an object; readers holding the old file keep old bytes."""
        base = os.path.join(self.root, bucket)
        os.makedirs(base, exist_ok=True)
        path = self.object_path(bucket, key)
        if path is None:
            raise ValueError("bad object name %s/%s" % (bucket, key))
        os.makedirs(os.path.dirname(path), exist_ok=True)
        tmp_dir = os.path.join(self.root, ".standin-tmp")
        os.makedirs(tmp_dir, exist_ok=True)
        tmp = os.path.join(tmp_dir, "%s.tmp" % uuid.uuid4().hex)
        with open(tmp, "wb") as out:
            out.write(data)
        os.replace(tmp, path)

    def list_keys(self, bucket):
        base = self.bucket_dir(bucket)
        keys = []
        for dirpath, dirnames, filenames in os.walk(base):
            dirnames[:] = [d for d in dirnames if not d.startswith(".standin")]
            rel = os.path.relpath(dirpath, base)
            for name in filenames:
                key = name if rel == "." else "%s/%s" % (rel.replace(os.sep, "/"), name)
                keys.append(key)
        keys.sort()
        return keys


# ------------------------------------------------------------------------------------------------
# Authentication
# ------------------------------------------------------------------------------------------------

AUTH_RE = re.compile(r"^AWS4-HMAC-SHA256\s+(.*)$", re.S)


def parse_authorization(value):
    """Returns (access_key, date, region, service, signed_headers list, signature) or raises ValueError."""
    match = AUTH_RE.match(value.strip())
    if not match:
        raise LookupError("unsupported")
    fields = {}
    for part in match.group(1).split(","):
        part = part.strip()
        if not part:
            continue
        name, eq, val = part.partition("=")
        if not eq:
            raise ValueError("'%s' not a valid key=value pair (missing equal-sign) in Authorization header" % part)
        fields[name.strip()] = val.strip()
    for required in ("Credential", "SignedHeaders", "Signature"):
        if required not in fields:
            raise ValueError("Authorization header requires '%s' parameter." % required)
    scope = fields["Credential"].split("/")
    if len(scope) != 5 or scope[4] != "aws4_request":
        raise ValueError("Credential should have 5 parts: access key/date/region/service/aws4_request")
    signed = fields["SignedHeaders"].split(";")
    if any(not name or name != name.lower() for name in signed):
        raise ValueError("SignedHeaders must be lower-case names separated by ';'")
    return scope[0], scope[1], scope[2], scope[3], signed, fields["Signature"]


def _canonical_url(ctx):
    if ctx.service == "s3":
        path = urllib.parse.quote(urllib.parse.unquote_to_bytes(ctx.raw_path or "/"), safe="/~")
    else:
        path = ctx.raw_path or "/"
    query = "&".join("%s=%s" % (urllib.parse.quote(k, safe="-_.~"), urllib.parse.quote(v, safe="-_.~"))
                     for k, v in ctx.params)
    return "http://%s%s%s" % (ctx.host or "localhost", path, ("?" + query) if query else "")


def authenticate(state, ctx):
    """Checks the request's SigV4 Authorization the way AWS does; returns the principal or raises."""
    service = ctx.service
    authz = ctx.header("Authorization")
    if authz is None:
        if ctx.has_param("X-Amz-Signature") or ctx.has_param("X-Amz-Credential"):
            raise auth_error("unsupported", service, "Query-string authentication is not supported by the stand-in.")
        raise auth_error("missing", service)
    try:
        access_key, scope_date, region, scope_service, signed, signature = parse_authorization(authz)
    except LookupError:
        raise auth_error("unsupported", service)
    except ValueError as exc:
        raise auth_error("malformed", service, "The authorization header is malformed; %s" % exc
                         if service == "s3" else str(exc))

    principal = state.find_principal(access_key)
    if principal is None:
        extra = [("AWSAccessKeyId", access_key)] if service == "s3" else None
        raise auth_error("unknown_key", service, extra=extra)
    token = ctx.header("X-Amz-Security-Token")
    if principal["token"] is None:
        if token is not None:
            raise auth_error("bad_token", service)
    else:
        if token is None:
            extra = [("AWSAccessKeyId", access_key)] if service == "s3" else None
            raise auth_error("unknown_key", service, extra=extra)
        if not hmac.compare_digest(token.encode(), principal["token"].encode()):
            raise auth_error("bad_token", service)
        now = state.clock.now()
        if principal.get("expired") or (principal.get("expiration") is not None and now >= principal["expiration"]):
            extra = [("Token-0", token)] if service == "s3" else None
            raise auth_error("expired_token", service, extra=extra)

    amz_date = ctx.header("X-Amz-Date")
    request_time = _parse_amz(amz_date) if amz_date else None
    if request_time is None:
        if service == "s3":
            raise AwsError("AccessDenied", 403, "AWS authentication requires a valid Date or x-amz-date header")
        raise auth_error("malformed", service,
                         "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.")
    if scope_date != amz_date[:8]:
        if service == "s3":
            raise auth_error("malformed", service, "The authorization header is malformed; Invalid credential "
                             "date. Date is not the same as X-Amz-Date.")
        raise auth_error("signature", service, "Date in Credential scope does not match YYYYMMDD from ISO-8601 "
                         "version of date from HTTP: '%s' != '%s', from 'X-Amz-Date'." % (scope_date, amz_date[:8]))

    # Credential scope: service, then region.
    if scope_service != service:
        if service == "s3":
            raise auth_error("scope", service, "The authorization header is malformed; incorrect service \"%s\". "
                             "This endpoint belongs to \"s3\"." % scope_service)
        raise auth_error("scope", service, "Credential should be scoped to correct service: '%s'. " % service)
    if service == "s3":
        if ctx.bucket is not None and state.bucket_dir(ctx.bucket) is not None and ctx.operation != "GetBucketLocation":
            expected = state.bucket_region(ctx.bucket)
            if ctx.region_hint and ctx.region_hint != expected and region == ctx.region_hint:
                raise AwsError("PermanentRedirect", 301, "The bucket you are attempting to access must be addressed "
                               "using the specified endpoint. Please send all future requests to this endpoint.",
                               extra=[("Endpoint", "%s.s3.%s.amazonaws.com" % (ctx.bucket, expected)),
                                      ("Bucket", ctx.bucket)],
                               headers={"x-amz-bucket-region": expected})
            if region != expected:
                raise AwsError("AuthorizationHeaderMalformed", 400, "The authorization header is malformed; the "
                               "region '%s' is wrong; expecting '%s'" % (region, expected),
                               extra=[("Region", expected)], headers={"x-amz-bucket-region": expected})
    elif service == "sts":
        if ctx.region_hint and ctx.region_hint != region:
            raise auth_error("scope", service, "Credential should be scoped to a valid region. ")
    elif region != JSON_REGION:
        raise auth_error("scope", service, "Credential should be scoped to a valid region. ")

    # Clock skew.
    now = state.clock.now()
    limit = state.skew_limit(service)
    if abs(request_time - now) > limit:
        if service == "s3":
            raise AwsError("RequestTimeTooSkewed", 403, "The difference between the request time and the current "
                           "time is too large.", extra=[("RequestTime", amz_date), ("ServerTime", _iso(now)),
                                                        ("MaxAllowedSkewMilliseconds", str(int(limit * 1000)))])
        minutes = int(limit // 60)
        if request_time < now:
            message = "Signature expired: %s is now earlier than %s (%s - %d min.)" % (
                amz_date, _amz(now - limit), _amz(now), minutes)
        else:
            message = "Signature not yet current: %s is still later than %s (%s + %d min.)" % (
                amz_date, _amz(now + limit), _amz(now), minutes)
        raise auth_error("skew", service, message)

    # Signed headers: host and every x-amz-* header sent.
    sent_names = sorted({name.lower() for name in ctx.headers.keys()})
    missing = [name for name in sent_names
               if (name == "host" or name.startswith("x-amz-")) and name not in signed]
    if "host" not in signed and "host" not in missing:
        missing.insert(0, "host")
    if missing:
        extra = [("HeadersNotSigned", ", ".join(missing))] if service == "s3" else None
        raise auth_error("unsigned", service, None if service == "s3" else
                         "There were headers present in the request which were not signed: %s" % ", ".join(missing),
                         extra=extra)

    content_sha = ctx.header("x-amz-content-sha256")
    if service == "s3":
        if content_sha is None:
            raise AwsError("InvalidRequest", 400, "Missing required header for this request: x-amz-content-sha256")
        if content_sha != UNSIGNED_PAYLOAD and not re.fullmatch(r"[0-9a-f]{64}", content_sha):
            raise AwsError("InvalidArgument", 400, "x-amz-content-sha256 must be UNSIGNED-PAYLOAD, "
                           "STREAMING-AWS4-HMAC-SHA256-PAYLOAD, or a valid sha256 value.",
                           extra=[("ArgumentName", "x-amz-content-sha256"), ("ArgumentValue", content_sha)])

    # Recompute the signature with botocore over what was received.
    request = AWSRequest(method=ctx.method, url=_canonical_url(ctx), data=ctx.body or None)
    request.headers = HTTPHeaders()
    for name, value in ctx.headers.items():
        if name.lower() in signed:
            request.headers[name.lower()] = value
    absent = [name for name in signed if request.headers.get(name) is None]
    credentials = ReadOnlyCredentials(principal["access_key"], principal["secret_key"], principal["token"])
    cls = VerifyS3SigV4 if service == "s3" else VerifySigV4
    signer = cls(credentials, scope_service, region, signed)
    request.context["timestamp"] = amz_date
    canonical = signer.canonical_request(request)
    string_to_sign = signer.string_to_sign(request, canonical)
    expected = signer.signature(string_to_sign, request)
    body_hash = hashlib.sha256(ctx.body).hexdigest()
    payload_ok = True
    if service != "s3" and content_sha is not None and content_sha != body_hash:
        payload_ok = False
    if absent or not payload_ok or not hmac.compare_digest(expected.encode(), signature.encode()):
        if service == "s3":
            extra = [("AWSAccessKeyId", access_key), ("StringToSign", string_to_sign),
                     ("SignatureProvided", signature),
                     ("StringToSignBytes", " ".join("%02x" % b for b in string_to_sign.encode())),
                     ("CanonicalRequest", canonical),
                     ("CanonicalRequestBytes", " ".join("%02x" % b for b in canonical.encode()))]
            raise auth_error("signature", service, extra=extra)
        raise auth_error("signature", service, SIG_MISMATCH + "\n\nThe Canonical String for this request should have "
                         "been\n'%s'\n\nThe String-to-Sign should have been\n'%s'\n" % (canonical, string_to_sign))
    if service == "s3" and content_sha != UNSIGNED_PAYLOAD and content_sha != body_hash:
        raise AwsError("XAmzContentSHA256Mismatch", 400, "The provided 'x-amz-content-sha256' header does not match "
                       "what was computed.", extra=[("ClientComputedContentSHA256", content_sha),
                                                    ("S3ComputedContentSHA256", body_hash)])
    return principal


def check_allowed(principal, ctx):
    action = "%s:%s" % (ctx.service, ctx.operation)
    for pattern in principal.get("deny") or []:
        if fnmatch.fnmatchcase(action, pattern) or (
                ctx.bucket is not None and fnmatch.fnmatchcase("s3:bucket/%s" % ctx.bucket, pattern)):
            if ctx.service == "s3":
                raise auth_error("denied", "s3")
            message = "User: %s is not authorized to perform: %s" % (principal["arn"], action)
            raise auth_error("denied", ctx.service, message)


# ------------------------------------------------------------------------------------------------
# STS
# ------------------------------------------------------------------------------------------------

ROLE_SESSION_RE = re.compile(r"[\w+=,.@-]*")
EXTERNAL_ID_RE = re.compile(r"[\w+=,.@:/-]*")
ROLE_ARN_RE = re.compile(r"^arn:aws[a-z-]*:iam::(\d{12}):role/(?:[\w+=,.@-]+/)*([\w+=,.@-]+)$")


def _validation(message):
    return AwsError("ValidationError", 400, "1 validation error detected: " + message)


def sts_handle(state, ctx, principal):
    params = ctx.sts_params
    action = params.get("Action")
    version = params.get("Version")
    if not action:
        raise AwsError("MissingAction", 400, "Missing Action")
    if version != "2011-06-15" or action not in ("AssumeRole", "GetCallerIdentity"):
        raise AwsError("InvalidAction", 400, "Could not find operation %s for version %s" % (action, version))
    check_allowed(principal, ctx)
    if action == "GetCallerIdentity":
        account = state.config["account_id"]
        body = ("<GetCallerIdentityResponse xmlns=\"%s\"><GetCallerIdentityResult><Arn>%s</Arn><UserId>%s</UserId>"
                "<Account>%s</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>%s</RequestId>"
                "</ResponseMetadata></GetCallerIdentityResponse>" % (
                    STS_NS, _x(principal["arn"]), _x(principal.get("user_id", principal["access_key"])), account,
                    ctx.request_id))
        return Response(200, [("Content-Type", "text/xml")], Body(body.encode()))

    region = ctx.sts_region
    if region in state.config["sts_disabled_regions"]:
        raise AwsError("RegionDisabledException", 403, "STS is not activated in this region for account:%s. Your "
                       "account administrator can activate STS in this region using the IAM Console."
                       % state.config["account_id"])
    role_arn = params.get("RoleArn")
    session_name = params.get("RoleSessionName")
    external_id = params.get("ExternalId")
    duration_text = params.get("DurationSeconds")
    if role_arn is None:
        raise _validation("Value null at 'roleArn' failed to satisfy constraint: Member must not be null")
    if len(role_arn) < 20 or len(role_arn) > 2048:
        raise _validation("Value '%s' at 'roleArn' failed to satisfy constraint: Member must have length %s" % (
            role_arn, "greater than or equal to 20" if len(role_arn) < 20 else "less than or equal to 2048"))
    if session_name is None:
        raise _validation("Value null at 'roleSessionName' failed to satisfy constraint: Member must not be null")
    if len(session_name) < 2 or len(session_name) > 64:
        raise _validation("Value '%s' at 'roleSessionName' failed to satisfy constraint: Member must have length %s"
                          % (session_name, "greater than or equal to 2" if len(session_name) < 2
                             else "less than or equal to 64"))
    if not ROLE_SESSION_RE.fullmatch(session_name):
        raise _validation("Value '%s' at 'roleSessionName' failed to satisfy constraint: Member must satisfy "
                          "regular expression pattern: [\\w+=,.@-]*" % session_name)
    if external_id is not None:
        if len(external_id) < 2 or len(external_id) > 1224:
            raise _validation("Value '%s' at 'externalId' failed to satisfy constraint: Member must have length %s"
                              % (external_id, "greater than or equal to 2" if len(external_id) < 2
                                 else "less than or equal to 1224"))
        if not EXTERNAL_ID_RE.fullmatch(external_id):
            raise _validation("Value '%s' at 'externalId' failed to satisfy constraint: Member must satisfy "
                              "regular expression pattern: [\\w+=,.@:\\/-]*" % external_id)
    duration = 3600
    if duration_text is not None:
        try:
            duration = int(duration_text)
        except ValueError:
            raise AwsError("MalformedInput", 400, "Invalid value for DurationSeconds: %s" % duration_text)
        if duration < 900:
            raise _validation("Value '%d' at 'durationSeconds' failed to satisfy constraint: Member must have value "
                              "greater than or equal to 900" % duration)
        if duration > 43200:
            raise _validation("Value '%d' at 'durationSeconds' failed to satisfy constraint: Member must have value "
                              "less than or equal to 43200" % duration)
    match = ROLE_ARN_RE.match(role_arn)
    if not match:
        raise AwsError("ValidationError", 400, "%s is invalid" % role_arn)
    denied = AwsError("AccessDenied", 403, "User: %s is not authorized to perform: sts:AssumeRole on resource: %s"
                      % (principal["arn"], role_arn))
    role = state.find_role(role_arn)
    if role is None:
        raise denied
    trusted = role.get("trusted")
    if trusted is not None and principal["access_key"] not in trusted and principal["arn"] not in trusted:
        raise denied
    if role.get("external_id") is not None and external_id != role["external_id"]:
        raise denied
    if principal["kind"] == "temporary" and duration > 3600:
        raise AwsError("ValidationError", 400, "The requested DurationSeconds exceeds the 1 hour session limit for "
                       "roles assumed by role chaining.")
    if duration > int(role.get("max_session_duration", 3600)):
        raise AwsError("ValidationError", 400, "The requested DurationSeconds exceeds the MaxSessionDuration set "
                       "for this role.")

    access_key = "ASIA" + "".join(secrets.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") for _ in range(16))
    secret_key = base64.b64encode(secrets.token_bytes(30)).decode()
    token = "IQoJb3JpZ2luX2Vj" + base64.b64encode(
        b"\xfb\xff" + secrets.token_bytes(int(state.config["session_token_bytes"]) | 1)).decode()
    expiration = int(state.clock.now()) + duration
    role_name = match.group(2)
    role_id = role.get("role_id") or ("AROA" + hashlib.sha1(role_arn.encode()).hexdigest()[:17].upper())
    assumed_arn = "arn:aws:sts::%s:assumed-role/%s/%s" % (match.group(1), role_name, session_name)
    with state.lock:
        state.sessions[access_key] = {
            "access_key": access_key, "secret_key": secret_key, "token": token, "expiration": expiration,
            "expired": False, "arn": assumed_arn, "user_id": "%s:%s" % (role_id, session_name),
            "deny": list(role.get("deny", [])), "kind": "temporary", "role_arn": role_arn,
        }
    body = ("<AssumeRoleResponse xmlns=\"%s\">\n  <AssumeRoleResult>\n    <AssumedRoleUser>\n      <AssumedRoleId>%s:%s"
            "</AssumedRoleId>\n      <Arn>%s</Arn>\n    </AssumedRoleUser>\n    <Credentials>\n      <AccessKeyId>%s"
            "</AccessKeyId>\n      <SecretAccessKey>%s</SecretAccessKey>\n      <SessionToken>%s</SessionToken>\n"
            "      <Expiration>%s</Expiration>\n    </Credentials>\n  </AssumeRoleResult>\n  <ResponseMetadata>\n"
            "    <RequestId>%s</RequestId>\n  </ResponseMetadata>\n</AssumeRoleResponse>\n" % (
                STS_NS, role_id, _x(session_name), _x(assumed_arn), access_key, _x(secret_key), _x(token),
                _iso(expiration), ctx.request_id))
    return Response(200, [("Content-Type", "text/xml")], Body(body.encode()))


# ------------------------------------------------------------------------------------------------
# JSON 1.1 services
# ------------------------------------------------------------------------------------------------

def _encode_token(service, offset, extra=0):
    """CUR tokens must match [A-Za-z0-9_.-=]*; Organizations tokens are long and carry / + =."""
    raw = json.dumps({"s": service, "o": offset, "p": extra}).encode()
    if service == "organizations":
        return base64.b64encode(raw + b"\x00" + b"\xfb\xff\xbf" * 20 + b"\xfe").decode()
    return base64.urlsafe_b64encode(raw).decode()


def _decode_token(service, token, error):
    try:
        if service == "organizations":
            raw = base64.b64decode(token.encode(), validate=True).split(b"\x00")[0]
        else:
            raw = base64.urlsafe_b64decode(token.encode())
        data = json.loads(raw.decode())
        if data["s"] != service or not isinstance(data["o"], int) or data["o"] < 0:
            raise ValueError(token)
        return data["o"], int(data.get("p", 0))
    except (ValueError, KeyError, TypeError, UnicodeDecodeError):
        raise error


def json_handle(state, ctx, principal):
    check_allowed(principal, ctx)
    body = ctx.json_body
    service, operation = ctx.service, ctx.operation
    config = state.config
    if service == "cur":
        max_results = body.get("MaxResults", 5)
        if not isinstance(max_results, int) or max_results != 5:
            raise AwsError("ValidationException", 400, "1 validation error detected: Value '%s' at 'maxResults' "
                           "failed to satisfy constraint: Member must have value %s 5" % (
                               max_results, "less than or equal to" if isinstance(max_results, int) and
                               max_results > 5 else "greater than or equal to"), member="Message")
        definitions = config["report_definitions"]
        start = 0
        if body.get("NextToken"):
            start, _ = _decode_token("cur", body["NextToken"], AwsError(
                "ValidationException", 400, "Invalid NextToken", member="Message"))
        page = definitions[start:start + max_results]
        result = {"ReportDefinitions": page}
        if start + max_results < len(definitions):
            result["NextToken"] = _encode_token("cur", start + max_results)
        return result
    if service == "bcm-data-exports":
        exports = config["exports"]
        if operation == "ListExports":
            max_results = body.get("MaxResults", 20)
            if not isinstance(max_results, int) or max_results < 1 or max_results > 300:
                raise AwsError("ValidationException", 400, "Invalid MaxResults: %s" % max_results, member="Message")
            start = 0
            if body.get("NextToken"):
                start, _ = _decode_token("bcm-data-exports", body["NextToken"], AwsError(
                    "ValidationException", 400, "Invalid NextToken", member="Message"))
            result = {"Exports": [{"ExportArn": e.get("ExportArn"), "ExportName": e.get("Name"),
                                   "ExportStatus": _export_status(state, e)}
                                  for e in exports[start:start + max_results]]}
            if start + max_results < len(exports):
                result["NextToken"] = _encode_token("bcm-data-exports", start + max_results)
            return result
        arn = body.get("ExportArn")
        if not arn:
            raise AwsError("ValidationException", 400, "1 validation error detected: Value null at 'exportArn' "
                           "failed to satisfy constraint: Member must not be null", member="Message")
        for export in exports:
            if export.get("ExportArn") == arn:
                exported = {k: v for k, v in export.items() if k != "ExportStatus"}
                return {"Export": exported, "ExportStatus": _export_status(state, export)}
        raise AwsError("ResourceNotFoundException", 400, "Export %s not found" % arn,
                       member="Message", extra=[("ResourceId", arn), ("ResourceType", "Export")])
    # organizations
    if not config.get("organizations_enabled", True):
        raise AwsError("AWSOrganizationsNotInUseException", 400, "Your account is not a member of an organization.",
                       member="Message")
    accounts = config["accounts"]
    if accounts is None:
        account_id = config["account_id"]
        accounts = [{"Id": account_id, "Arn": "arn:aws:organizations::%s:account/o-exampleorgid/%s" % (
            account_id, account_id), "Email": "payer@example.com", "Name": "management", "Status": "ACTIVE",
            "State": "ACTIVE", "JoinedMethod": "CREATED", "JoinedTimestamp": 1500000000.0}]
    max_results = body.get("MaxResults", 20)
    if not isinstance(max_results, int) or max_results < 1 or max_results > 20:
        raise AwsError("InvalidInputException", 400, "You provided a value that does not match the required "
                       "pattern.", member="Message", extra=[("Reason", "INVALID_INPUT")])
    offset, page_index = 0, 0
    if "NextToken" in body and body["NextToken"] is not None:
        offset, page_index = _decode_token("organizations", body["NextToken"], AwsError(
            "InvalidInputException", 400, "You specified an invalid value for nextToken. You must get the value "
            "from the response to a previous call to the API.", member="Message",
            extra=[("Reason", "INVALID_PAGINATION_TOKEN")]))
    plan = config["accounts_page_sizes"]
    size = min(plan[page_index], max_results) if page_index < len(plan) else max_results
    page = accounts[offset:offset + size]
    offset += len(page)
    page_index += 1
    result = {"Accounts": page}
    if offset < len(accounts) or page_index < len(plan):
        result["NextToken"] = _encode_token("organizations", offset, page_index)
    return result


def _export_status(state, export):
    status = export.get("ExportStatus")
    if status:
        return status
    return {"StatusCode": "HEALTHY", "CreatedAt": 1700000000.0, "LastUpdatedAt": 1700000000.0,
            "LastRefreshedAt": float(int(state.clock.now()))}


# ------------------------------------------------------------------------------------------------
# S3
# ------------------------------------------------------------------------------------------------

def _s3_list_encode(text, encoded):
    return urllib.parse.quote_plus(text, safe="/") if encoded else text


def s3_handle(state, ctx, principal):
    check_allowed(principal, ctx)
    if ctx.bucket is None:
        raise AwsError("NotImplemented", 501, "A header you provided implies functionality that is not implemented")
    base = state.bucket_dir(ctx.bucket)
    if base is None:
        raise AwsError("NoSuchBucket", 404, "The specified bucket does not exist", extra=[("BucketName", ctx.bucket)])
    region = state.bucket_region(ctx.bucket)
    if ctx.operation == "GetBucketLocation":
        location = "" if region == "us-east-1" else region
        body = '<?xml version="1.0" encoding="UTF-8"?>\n<LocationConstraint xmlns="%s">%s</LocationConstraint>' % (
            S3_NS, location)
        return Response(200, [("Content-Type", "application/xml")], Body(body.encode()))
    if ctx.operation == "HeadBucket":
        return Response(200, [("x-amz-bucket-region", region), ("Content-Type", "application/xml")])
    if ctx.operation in ("ListObjectsV2", "ListObjects"):
        return s3_list(state, ctx)
    if ctx.operation in ("GetObject", "HeadObject"):
        return s3_get(state, ctx)
    raise AwsError("NotImplemented", 501, "A header you provided implies functionality that is not implemented")


def s3_list(state, ctx):
    v2 = ctx.operation == "ListObjectsV2"
    prefix = ctx.param("prefix", "")
    delimiter = ctx.param("delimiter", "")
    encoding = ctx.param("encoding-type")
    if encoding is not None and encoding != "url":
        raise AwsError("InvalidArgument", 400, "Invalid Encoding Method specified in Request",
                       extra=[("ArgumentName", "encoding-type"), ("ArgumentValue", encoding)])
    encoded = encoding == "url"
    max_keys_text = ctx.param("max-keys", str(S3_MAX_KEYS))
    try:
        max_keys = int(max_keys_text)
        if max_keys < 0:
            raise ValueError(max_keys_text)
    except ValueError:
        raise AwsError("InvalidArgument", 400, "Provided max-keys not an integer or within integer range",
                       extra=[("ArgumentName", "max-keys"), ("ArgumentValue", max_keys_text)])
    max_keys = min(max_keys, S3_MAX_KEYS)
    token = ctx.param("continuation-token") if v2 else None
    start_after = ctx.param("start-after", "") if v2 else ctx.param("marker", "")
    after, after_is_prefix = start_after, False
    if v2 and token is not None:
        with state.lock:
            saved = state.tokens.get(token)
        if saved is None or saved[0] != ctx.bucket:
            raise AwsError("InvalidArgument", 400, "The continuation token provided is incorrect",
                           extra=[("ArgumentName", "continuation-token")])
        _, after, after_is_prefix = saved
    contents, prefixes = [], []
    truncated = False
    last, last_is_prefix = None, False
    for key in (state.list_keys(ctx.bucket) if max_keys else []):
        if not key.startswith(prefix) or key <= after:
            continue
        if after_is_prefix and key.startswith(after):
            continue
        rest = key[len(prefix):]
        if delimiter and delimiter in rest:
            common = prefix + rest[:rest.index(delimiter) + len(delimiter)]
            if prefixes and prefixes[-1] == common:
                continue
            if len(contents) + len(prefixes) >= max_keys:
                truncated = True
                break
            prefixes.append(common)
            last, last_is_prefix = common, True
            after, after_is_prefix = common, True
            continue
        if len(contents) + len(prefixes) >= max_keys:
            truncated = True
            break
        contents.append(key)
        last, last_is_prefix = key, False
    out = ['<?xml version="1.0" encoding="UTF-8"?>\n<ListBucketResult xmlns="%s">' % S3_NS,
           "<Name>%s</Name>" % _x(ctx.bucket), "<Prefix>%s</Prefix>" % _x(_s3_list_encode(prefix, encoded))]
    if v2:
        if token is not None:
            out.append("<ContinuationToken>%s</ContinuationToken>" % _x(token))
        if truncated:
            next_token = "1" + base64.b64encode(b"\xfb\xff" + secrets.token_bytes(27)).decode()
            with state.lock:
                state.tokens[next_token] = (ctx.bucket, last, last_is_prefix)
            out.append("<NextContinuationToken>%s</NextContinuationToken>" % _x(next_token))
        out.append("<KeyCount>%d</KeyCount>" % (len(contents) + len(prefixes)))
        if ctx.has_param("start-after"):
            out.append("<StartAfter>%s</StartAfter>" % _x(_s3_list_encode(start_after, encoded)))
    else:
        out.append("<Marker>%s</Marker>" % _x(_s3_list_encode(start_after, encoded)))
        if truncated and delimiter:
            out.append("<NextMarker>%s</NextMarker>" % _x(_s3_list_encode(last, encoded)))
    out.append("<MaxKeys>%d</MaxKeys>" % max_keys)
    if delimiter:
        out.append("<Delimiter>%s</Delimiter>" % _x(_s3_list_encode(delimiter, encoded)))
    if encoded:
        out.append("<EncodingType>url</EncodingType>")
    out.append("<IsTruncated>%s</IsTruncated>" % ("true" if truncated else "false"))
    for key in contents:
        path = state.object_path(ctx.bucket, key)
        try:
            fd = os.open(path, os.O_RDONLY)
        except OSError:
            continue
        try:
            st = os.fstat(fd)
            etag = state.etag_for(ctx.bucket, key, fd, st)
        finally:
            os.close(fd)
        out.append("<Contents><Key>%s</Key><LastModified>%s</LastModified><ETag>%s</ETag><Size>%d</Size>"
                   "<StorageClass>STANDARD</StorageClass></Contents>" % (
                       _x(_s3_list_encode(key, encoded)), _iso_ms(st.st_mtime), _x(etag), st.st_size))
    for common in prefixes:
        out.append("<CommonPrefixes><Prefix>%s</Prefix></CommonPrefixes>" % _x(_s3_list_encode(common, encoded)))
    out.append("</ListBucketResult>")
    return Response(200, [("Content-Type", "application/xml")], Body("".join(out).encode()))


def _parse_range(value, size):
    """Returns (first, last) inclusive, "unsatisfiable", or None to ignore the header (as S3 does)."""
    match = re.fullmatch(r"\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*", value or "")
    if not match or (match.group(1) == "" and match.group(2) == ""):
        return None
    first_text, last_text = match.groups()
    if first_text == "":
        suffix = int(last_text)
        if suffix == 0 or size == 0:
            return "unsatisfiable"
        return max(0, size - suffix), size - 1
    first = int(first_text)
    last = int(last_text) if last_text else size - 1
    if last_text and last < first:
        return None
    if first >= size:
        return "unsatisfiable"
    return first, min(last, size - 1)


def _etag_matches(header, etag):
    bare = etag.strip('"')
    for candidate in header.split(","):
        candidate = candidate.strip()
        if candidate == "*" or candidate.strip('"') == bare:
            return True
    return False


def s3_get(state, ctx):
    path = state.object_path(ctx.bucket, ctx.key)
    fd = None
    if path is not None:
        try:
            fd = os.open(path, os.O_RDONLY)
            if not os.path.isfile(path):
                os.close(fd)
                fd = None
        except OSError:
            fd = None
    if fd is None:
        raise AwsError("NoSuchKey", 404, "The specified key does not exist.", extra=[("Key", ctx.key)])
    try:
        st = os.fstat(fd)
        etag = state.etag_for(ctx.bucket, ctx.key, fd, st)
        size = st.st_size
        modified = int(st.st_mtime)
        if_match = ctx.header("If-Match")
        if_none = ctx.header("If-None-Match")
        if_unmod = ctx.header("If-Unmodified-Since")
        if_mod = ctx.header("If-Modified-Since")
        if if_match is not None and not _etag_matches(if_match, etag):
            raise AwsError("PreconditionFailed", 412, "At least one of the pre-conditions you specified did not hold",
                           extra=[("Condition", "If-Match")])
        if if_match is None and if_unmod is not None:
            since = email.utils.parsedate_to_datetime(if_unmod) if if_unmod else None
            if since is not None and modified > since.timestamp():
                raise AwsError("PreconditionFailed", 412, "At least one of the pre-conditions you specified did not "
                               "hold", extra=[("Condition", "If-Unmodified-Since")])
        not_modified = False
        if if_none is not None:
            not_modified = _etag_matches(if_none, etag)
        elif if_mod is not None:
            try:
                not_modified = modified <= email.utils.parsedate_to_datetime(if_mod).timestamp()
            except (TypeError, ValueError):
                not_modified = False
        headers = [("Last-Modified", _http_date(modified)), ("ETag", etag), ("Accept-Ranges", "bytes"),
                   ("Content-Type", "application/json" if ctx.key.endswith(".json") else "binary/octet-stream")]
        if not_modified:
            os.close(fd)
            return Response(304, [h for h in headers if h[0] in ("Last-Modified", "ETag")])
        rng = _parse_range(ctx.header("Range"), size)
        if rng == "unsatisfiable":
            raise AwsError("InvalidRange", 416, "The requested range is not satisfiable",
                           extra=[("RangeRequested", ctx.header("Range")), ("ActualObjectSize", str(size))],
                           headers={"Content-Range": "bytes */%d" % size})
        if rng is None:
            body = Body(fd=fd, offset=0, length=size, bucket=ctx.bucket, key=ctx.key)
            return Response(200, headers, body)
        first, last = rng
        headers.append(("Content-Range", "bytes %d-%d/%d" % (first, last, size)))
        body = Body(fd=fd, offset=first, length=last - first + 1, bucket=ctx.bucket, key=ctx.key)
        return Response(206, headers, body)
    except BaseException:
        if fd is not None:
            try:
                os.close(fd)
            except OSError:
                pass
        raise


# ------------------------------------------------------------------------------------------------
# HTTP
# ------------------------------------------------------------------------------------------------

VHOST_RE = re.compile(r"^(?P<bucket>.+)\.s3(?:[.-](?P<rest>.*))?$")
STS_HOST_RE = re.compile(r"^sts(?:\.(?P<region>[a-z0-9-]+))?\.amazonaws\.com$")
REGION_HOST_RE = re.compile(r"^(?:.+\.)?s3[.-](?P<region>[a-z]{2}(?:-[a-z]+)+-\d+)\.amazonaws\.com$")


def classify(ctx):
    """Sets service, operation, bucket, key and region hints from the request line and headers."""
    host = (ctx.host or "").lower()
    hostname = host.rsplit(":", 1)[0] if not host.endswith("]") else host
    target = ctx.header("X-Amz-Target")
    if target is not None:
        prefix, _, operation = target.partition(".")
        ctx.service = JSON_TARGETS.get(prefix, "json")
        ctx.operation = operation
        return
    content_type = (ctx.header("Content-Type") or "").lower()
    if ctx.method == "POST" and content_type.startswith("application/x-amz-json"):
        ctx.service, ctx.operation = "json", ""  # a JSON call without X-Amz-Target
        return
    sts_host = STS_HOST_RE.match(hostname)
    if ctx.raw_path in ("", "/") and (
            sts_host or (ctx.method == "POST" and content_type.startswith("application/x-www-form-urlencoded"))):
        ctx.service = "sts"
        if sts_host:
            ctx.region_hint = sts_host.group("region") or "us-east-1"
        return
    ctx.service = "s3"
    path = ctx.raw_path or "/"
    vhost = VHOST_RE.match(hostname)
    if vhost is None and hostname.endswith(".localhost"):
        vhost_bucket = hostname[:-len(".localhost")]
    else:
        vhost_bucket = vhost.group("bucket") if vhost else None
    region_match = REGION_HOST_RE.match(hostname)
    if region_match:
        ctx.region_hint = region_match.group("region")
    if vhost_bucket:
        ctx.bucket = vhost_bucket
        key = urllib.parse.unquote(path[1:])
    else:
        segments = path[1:].split("/", 1)
        ctx.bucket = urllib.parse.unquote(segments[0]) or None
        key = urllib.parse.unquote(segments[1]) if len(segments) > 1 else ""
    ctx.key = key or None
    if ctx.bucket is None:
        ctx.operation = "ListBuckets"
    elif ctx.key is None:
        if ctx.method == "HEAD":
            ctx.operation = "HeadBucket"
        elif ctx.method == "GET" and ctx.has_param("location"):
            ctx.operation = "GetBucketLocation"
        elif ctx.method == "GET":
            ctx.operation = "ListObjectsV2" if ctx.param("list-type") == "2" else "ListObjects"
        else:
            ctx.operation = "%sBucket" % ctx.method.title()
    else:
        ctx.operation = {"GET": "GetObject", "HEAD": "HeadObject"}.get(ctx.method, "%sObject" % ctx.method.title())


def render_error(ctx, err):
    headers = list(err.headers.items())
    if ctx.service == "s3":
        parts = ['<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>%s</Code><Message>%s</Message>' % (
            _x(err.code), _x(err.message))]
        for name, value in err.extra:
            parts.append("<%s>%s</%s>" % (name, _x(value), name))
        parts.append("<RequestId>%s</RequestId><HostId>%s</HostId></Error>" % (
            ctx.request_id, base64.b64encode(secrets.token_bytes(48)).decode()))
        headers.append(("Content-Type", "application/xml"))
        body = b"" if ctx.method == "HEAD" else "".join(parts).encode()
        return Response(err.status, headers, Body(body))
    if ctx.service == "sts":
        kind = "Receiver" if err.status >= 500 else "Sender"
        body = ('<ErrorResponse xmlns="%s">\n  <Error>\n    <Type>%s</Type>\n    <Code>%s</Code>\n    <Message>%s'
                '</Message>\n  </Error>\n  <RequestId>%s</RequestId>\n</ErrorResponse>\n' % (
                    STS_NS, kind, _x(err.code), _x(err.message), ctx.request_id))
        headers.append(("Content-Type", "text/xml"))
        return Response(err.status, headers, Body(body.encode()))
    document = {"__type": err.type_prefix + err.code, err.member: err.message}
    for name, value in err.extra:
        document[name] = value
    headers.append(("Content-Type", "application/x-amz-json-1.1"))
    return Response(err.status, headers, Body(json.dumps(document).encode()))


def fault_error(ctx, kind, fault):
    if kind == "throttle":
        defaults = {"s3": ("SlowDown", 503, "Please reduce your request rate."),
                    "sts": ("Throttling", 400, "Rate exceeded")}
        code, status, message = defaults.get(ctx.service, ("ThrottlingException", 400, "Rate exceeded"))
    else:
        defaults = {"s3": ("InternalError", 500, "We encountered an internal error. Please try again."),
                    "sts": ("InternalFailure", 500, "An internal error occurred."),
                    "cur": ("InternalErrorException", 500, "An internal error occurred."),
                    "organizations": ("ServiceException", 500, "AWS Organizations can't complete your request "
                                      "because of an internal service error. Try again later."),
                    "bcm-data-exports": ("InternalServerException", 500, "An internal error occurred.")}
        code, status, message = defaults.get(ctx.service, ("InternalFailure", 500, "An internal error occurred."))
    member = "message" if kind == "throttle" else "Message"
    return AwsError(fault.get("code", code), int(fault.get("status", status)), fault.get("message", message),
                    member=member)


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "AmazonS3"
    sys_version = ""

    def log_message(self, fmt, *args):
        if self.server.verbose:
            sys.stderr.write("standin: %s\n" % (fmt % args))

    def date_time_string(self, timestamp=None):
        return _http_date(self.server.state.clock.now() if timestamp is None else timestamp)

    def do_GET(self):
        self._serve()

    do_HEAD = do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = do_GET

    # -- request -------------------------------------------------------------------------------
    def _read_body(self):
        if (self.headers.get("Transfer-Encoding") or "").lower() == "chunked":
            data = b""
            while True:
                line = self.rfile.readline(1024)
                size = int(line.split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline(1024) not in (b"\r\n", b"\n", b""):
                        pass
                    return data
                data += self.rfile.read(size)
                self.rfile.readline(8)
                if len(data) > MAX_BODY:
                    raise ValueError("body too large")
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            raise ValueError("body too large")
        return self.rfile.read(length) if length else b""

    def _serve(self):
        state = self.server.state
        ctx = Ctx()
        ctx.method = self.command
        split = urllib.parse.urlsplit(self.path)
        ctx.raw_path = split.path
        ctx.raw_query = split.query
        ctx.params = urllib.parse.parse_qsl(split.query, keep_blank_values=True)
        ctx.headers = self.headers
        ctx.host = self.headers.get("Host", "")
        try:
            ctx.body = self._read_body()
        except (ValueError, OSError):
            self.close_connection = True
            self.send_error(400, "bad request body")
            return
        if ctx.raw_path.startswith("/__admin/") or ctx.raw_path == "/__admin":
            self._admin(ctx)
            return
        classify(ctx)
        if ctx.service != "s3":
            ctx.request_id = str(uuid.uuid4())  # x-amzn-RequestId is a UUID; S3 ids are 16 hex digits
        response = None
        try:
            stall = state.faults.take("stall", ctx, lambda f: f.get("after_bytes") is None)
            if stall:
                state.stop_event.wait(float(stall["seconds"]))
            if ctx.service == "json":
                raise AwsError("UnknownOperationException", 400, "", type_prefix=CORAL)
            if ctx.service == "sts":
                ctx.sts_params = dict(urllib.parse.parse_qsl(ctx.body.decode("utf-8", "replace"),
                                                             keep_blank_values=True)) if ctx.method == "POST" \
                    else dict(ctx.params)
                ctx.operation = ctx.sts_params.get("Action", "")
            principal = authenticate(state, ctx)
            if ctx.service == "sts":
                ctx.sts_region = self._scope_region()
            for kind in ("throttle", "error"):
                fault = state.faults.take(kind, ctx)
                if fault:
                    raise fault_error(ctx, kind, fault)
            if ctx.service == "s3":
                response = s3_handle(state, ctx, principal)
                response.headers.append(("x-amz-request-id", ctx.request_id))
                response.headers.append(("x-amz-id-2", base64.b64encode(secrets.token_bytes(48)).decode()))
            elif ctx.service == "sts":
                response = sts_handle(state, ctx, principal)
                response.headers.append(("x-amzn-RequestId", ctx.request_id))
            else:
                if ctx.operation not in JSON_OPERATIONS[ctx.service]:
                    raise AwsError("UnknownOperationException", 400, "", type_prefix=CORAL)
                try:
                    document = json.loads(ctx.body.decode("utf-8") or "{}")
                except (ValueError, UnicodeDecodeError):
                    document = None
                if not isinstance(document, dict):
                    raise AwsError("SerializationException", 400, "Start of structure or map found where not "
                                   "expected.", type_prefix="")
                ctx.json_body = document
                result = json_handle(state, ctx, principal)
                response = Response(200, [("Content-Type", "application/x-amz-json-1.1"),
                                          ("x-amzn-RequestId", ctx.request_id)],
                                    Body(json.dumps(result).encode()))
        except AwsError as err:
            ctx.error_code = err.code
            response = render_error(ctx, err)
            if ctx.service == "s3":
                response.headers.append(("x-amz-request-id", ctx.request_id))
            else:
                response.headers.append(("x-amzn-RequestId", ctx.request_id))
        self._send(ctx, response)

    def _scope_region(self):
        try:
            return parse_authorization(self.headers.get("Authorization", ""))[2]
        except (LookupError, ValueError):
            return None

    # -- response ------------------------------------------------------------------------------
    def _send(self, ctx, response):
        """Logs the request, then sends the response; the log entry exists before the client sees a byte."""
        state = self.server.state
        body = response.body
        length = body.length
        events = []
        headers = {}
        for name, value in self.headers.items():
            lower = name.lower()
            if lower == "authorization":
                value = re.sub(r"Signature=[0-9A-Za-z]*", "Signature=<redacted>", value)
            headers[lower] = value if lower not in headers else headers[lower] + ", " + value
        entry = {"time": _iso(state.clock.now()), "method": ctx.method, "path": ctx.raw_path,
                 "query": ctx.raw_query, "params": [list(p) for p in ctx.params], "headers": headers,
                 "service": ctx.service, "operation": ctx.operation, "bucket": ctx.bucket, "key": ctx.key,
                 "status": response.status, "error_code": ctx.error_code, "bytes_sent": 0,
                 "content_length": length, "faults": ctx.faults, "request_id": ctx.request_id}
        if ctx.service != "s3" and len(ctx.body) <= 4096:
            entry["body"] = ctx.body.decode("utf-8", "replace")
        try:
            if ctx.method != "HEAD" and length:
                cut = state.faults.take("cut", ctx, lambda f: int(f.get("after_bytes", 0)) < length)
                if cut:
                    events.append((int(cut.get("after_bytes", 0)), "cut", cut))
                stall = state.faults.take("stall", ctx, lambda f: f.get("after_bytes") is not None and
                                          int(f["after_bytes"]) < length)
                if stall:
                    events.append((int(stall["after_bytes"]), "stall", stall))
            state.record(entry)
            self.send_response_only(response.status)
            self.send_header("Date", self.date_time_string())
            if ctx.service == "s3":
                self.send_header("Server", "AmazonS3")
            for name, value in response.headers:
                self.send_header(name, value)
            self.send_header("Content-Length", str(length))
            self.end_headers()
            if ctx.method != "HEAD":
                self._write_body(ctx, body, events, entry)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
        finally:
            body.close()

    def _write_body(self, ctx, body, events, entry):
        state = self.server.state
        replace_faults = []
        if body.key is not None:
            with state.lock:
                replace_faults = [f for f in state.faults.items if f["type"] == "replace" and f["count"] != 0 and
                                  Faults.matches(f, ctx)]
        sent = 0
        for chunk in body.chunks():
            while chunk:
                positions = [pos for pos, _, _ in events if pos >= sent]
                positions += [sent + int(f.get("after_bytes", 0)) - f["served"] for f in replace_faults
                              if int(f.get("after_bytes", 0)) - f["served"] >= 0]
                limit = min([p for p in positions if p > sent] or [sent + len(chunk)])
                # Events exactly at the current position fire before writing.
                for event in [e for e in events if e[0] == sent]:
                    events.remove(event)
                    if event[1] == "stall":
                        state.stop_event.wait(float(event[2]["seconds"]))
                    else:
                        self._cut(event[2])
                        return sent
                piece = chunk[:max(1, min(len(chunk), limit - sent))]
                # Counted before the write, so a client that has read the bytes sees them in the log.
                self._replace_due(ctx, body, replace_faults, len(piece))
                with state.lock:
                    entry["bytes_sent"] += len(piece)
                self.wfile.write(piece)
                sent += len(piece)
                chunk = chunk[len(piece):]
        for event in [e for e in events if e[0] == sent]:
            if event[1] == "cut":
                self._cut(event[2])
        return sent

    def _replace_due(self, ctx, body, replace_faults, just_sent):
        state = self.server.state
        for fault in list(replace_faults):
            with state.lock:
                fault["served"] += just_sent
                due = fault["served"] >= int(fault.get("after_bytes", 0)) and fault["count"] != 0
                if due:
                    if fault["count"] > 0:
                        fault["count"] -= 1
                    replace_faults.remove(fault)
            if due:
                ctx.faults.append("replace#%d" % fault["id"])
                if "content_b64" in fault:
                    data = base64.b64decode(fault["content_b64"])
                elif "content" in fault:
                    data = fault["content"].encode()
                else:
                    path = state.object_path(body.bucket, body.key)
                    with open(path, "rb") as src:
                        data = src.read() + b"\n#replaced\n"
                state.write_object(body.bucket, body.key, data)

    def _cut(self, fault):
        self.close_connection = True
        try:
            self.wfile.flush()
        except OSError:
            pass
        try:
            if fault.get("mode") == "rst":
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                os.close(self.connection.detach())
            else:
                self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    # -- admin -----------------------------------------------------------------------------------
    def _admin(self, ctx):
        state = self.server.state
        path = ctx.raw_path[len("/__admin"):]
        method = ctx.method
        status, result = 200, None
        try:
            payload = json.loads(ctx.body.decode() or "null") if method in ("POST",) and ctx.body else None
            if path == "/health":
                result = {"ok": True, "port": self.server.server_address[1]}
            elif path == "/log" and method == "GET":
                with state.lock:
                    result = {"requests": list(state.log)}
            elif (path == "/log" and method == "DELETE") or path == "/log/clear":
                with state.lock:
                    state.log = []
                result = {"ok": True}
            elif path == "/faults" and method == "POST":
                specs = payload if isinstance(payload, list) else [payload]
                with state.lock:
                    result = {"ids": [state.faults.add(spec) for spec in specs]}
            elif path == "/faults" and method == "GET":
                result = {"faults": state.faults.armed()}
            elif path == "/faults" and method == "DELETE":
                state.faults.clear()
                result = {"ok": True}
            elif path == "/clock":
                if method == "POST":
                    if "set" in (payload or {}):
                        target = _parse_amz(payload["set"])
                        if target is None:
                            raise ValueError("clock set wants YYYYMMDDTHHMMSSZ")
                        state.clock.offset = target - time.time()
                    else:
                        state.clock.offset = float((payload or {}).get("offset", 0))
                result = {"offset": state.clock.offset, "now": _amz(state.clock.now())}
            elif path == "/sessions/expire" and method == "POST":
                result = {"expired": state.expire_sessions()}
            elif path == "/sessions" and method == "GET":
                with state.lock:
                    result = {"sessions": [{"access_key": s["access_key"], "arn": s["arn"],
                                            "expiration": _iso(s["expiration"]), "expired": s["expired"]}
                                           for s in state.sessions.values()]}
            elif path == "/config" and method == "GET":
                with state.lock:
                    result = dict(state.config, clock_offset=state.clock.offset)
            elif path == "/config" and method == "POST":
                state.merge_config(payload or {})
                result = {"ok": True}
            elif path == "/reset" and method == "POST":
                state.faults.clear()
                with state.lock:
                    state.log = []
                state.clock.offset = 0.0
                result = {"ok": True}
            elif path.startswith("/object/") and method in ("PUT", "DELETE"):
                bucket, _, key = urllib.parse.unquote(path[len("/object/"):]).partition("/")
                if method == "PUT":
                    state.write_object(bucket, key, ctx.body)
                else:
                    target = state.object_path(bucket, key)
                    if target is None or not os.path.isfile(target):
                        raise KeyError("no such object")
                    os.remove(target)
                result = {"ok": True}
            else:
                status, result = 404, {"error": "no admin endpoint %s %s" % (method, path)}
        except (ValueError, KeyError, TypeError, OSError) as exc:
            status, result = 400, {"error": str(exc)}
        data = json.dumps(result).encode()
        self.send_response_only(status)
        self.send_header("Date", self.date_time_string())
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if method != "HEAD":
            self.wfile.write(data)


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 64

    def __init__(self, state, port=0, verbose=False):
        self.state = state
        self.verbose = verbose
        super().__init__(("127.0.0.1", port), Handler)

    def server_bind(self):
        # HTTPServer.server_bind would call socket.getfqdn(), a name lookup: stay off the resolver.
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = self.server_address[:2]


class StandIn:
    """The stand-in run in-process on a thread: start() returns the port, stop() shuts it down.

    The Python helpers (add_fault, log, ...) act on the same state as the admin endpoints."""

    def __init__(self, root, config=None, port=0, verbose=False):
        self.state = State(root, config)
        self._port = port
        self._verbose = verbose
        self._server = None
        self._thread = None

    @property
    def port(self):
        return self._server.server_address[1]

    @property
    def url(self):
        return "http://127.0.0.1:%d" % self.port

    def start(self):
        self.state.stop_event.clear()
        self._server = Server(self.state, self._port, self._verbose)
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="standin", daemon=True)
        self._thread.start()
        return self.port

    def stop(self):
        if self._server is None:
            return
        self.state.stop_event.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)
        self._server = None

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.stop()

    def add_fault(self, **spec):
        with self.state.lock:
            return self.state.faults.add(spec)

    def clear_faults(self):
        self.state.faults.clear()

    def requests(self):
        with self.state.lock:
            return list(self.state.log)

    def clear_log(self):
        with self.state.lock:
            self.state.log = []

    def set_clock_offset(self, seconds):
        self.state.clock.offset = float(seconds)

    def expire_sessions(self):
        return self.state.expire_sessions()

    def configure(self, **update):
        self.state.merge_config(update)

    def write_object(self, bucket, key, data):
        self.state.write_object(bucket, key, data)


def _load_config(text):
    if text is None:
        return None
    if text.lstrip().startswith("{"):
        return json.loads(text)
    with open(text, encoding="utf-8") as handle:
        return json.load(handle)


def main(argv=None):
    parser = argparse.ArgumentParser(description="Local AWS stand-in for edgecur's network tests (127.0.0.1 only).")
    parser.add_argument("--root", required=True, help="directory holding one folder per bucket")
    parser.add_argument("--port-file", required=True, help="file the chosen port is written to")
    parser.add_argument("--config", help="JSON text or a JSON file")
    parser.add_argument("--port", type=int, default=0, help="port (0 = pick a free one)")
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args(argv)
    os.makedirs(args.root, exist_ok=True)
    standin = StandIn(args.root, _load_config(args.config), args.port, args.verbose)
    port = standin.start()
    tmp = args.port_file + ".tmp"
    with open(tmp, "w", encoding="utf-8") as out:
        out.write("%d\n" % port)
    os.replace(tmp, args.port_file)
    print("standin: listening on 127.0.0.1:%d" % port, flush=True)
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    signal.signal(signal.SIGINT, lambda *_: done.set())
    while not done.wait(0.5):
        pass
    standin.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())

# tests/e2e/aws_peers.py - The local AWS peers of the e2e tests: the stand-in and s3rver, on 127.0.0.1.
"""Context managers that start a peer on a free port of 127.0.0.1, wait until it answers, and stop
it afterwards; an Identity (IAM user + role with an external id) for the stand-in; botocore
clients aimed at a peer; and the environment edgecur runs in (no proxies, no AWS_* variables).

    with standin(root, config) as aws:          # tests/aws/standin/standin.py (in-process thread)
        aws.url, aws.log(), aws.add_faults([...]), aws.set_clock(1200), aws.expire_sessions()
    with s3rver(directory, ["bucket"]) as s3:   # npm s3rver, keys S3RVER/S3RVER, path style
        s3.client().put_object(...)

s3rver is installed by .ci/setup into ${XDG_CACHE_HOME:-~/.cache}/edgecur/npm (pinned version);
S3RVER_JS overrides the path of bin/s3rver.js. require_s3rver(test) FAILS the test when it is
missing and CI=true, and skips it with a loud reason otherwise.

Nothing here connects anywhere but 127.0.0.1.
"""
import contextlib
import json
import os
import re
import secrets
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
STANDIN_DIR = os.path.join(HERE, "..", "aws", "standin")
STANDIN_PY = os.path.join(STANDIN_DIR, "standin.py")
LOOPBACK = "127.0.0.1"
S3RVER_VERSION = "3.7.1"  # keep in step with .ci/setup
S3RVER_KEY = "S3RVER"

# botocore and urllib must not read the user's AWS files or go through a proxy.
os.environ["AWS_CONFIG_FILE"] = os.devnull
os.environ["AWS_SHARED_CREDENTIALS_FILE"] = os.devnull
os.environ["AWS_EC2_METADATA_DISABLED"] = "true"
for _name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE",
              "AWS_DEFAULT_REGION", "AWS_REGION", "AWS_ENDPOINT_URL", "http_proxy", "https_proxy",
              "all_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"):
    os.environ.pop(_name, None)
os.environ["NO_PROXY"] = os.environ["no_proxy"] = "127.0.0.1,localhost"

sys.path.insert(0, STANDIN_DIR)
import standin as standin_module  # noqa: E402
import botocore.session  # noqa: E402
from botocore.auth import SigV4Auth  # noqa: E402
from botocore.awsrequest import AWSRequest  # noqa: E402
from botocore.config import Config  # noqa: E402
from botocore.credentials import Credentials  # noqa: E402
from botocore.exceptions import ClientError  # noqa: E402

_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))
_SESSION = botocore.session.Session()
# botocore 1.36 began adding flexible checksums to every request unless told "when_required"; older
# ones (Debian 12 ships 1.29) never add them and reject the two options as unknown keywords.
_WHEN_REQUIRED_CHECKSUMS = {name: "when_required" for name in
                            ("request_checksum_calculation", "response_checksum_validation")
                            if name in Config.OPTION_DEFAULTS}


def edgecur_env(extra=None):
    """The environment edgecur runs in: this one without proxies and AWS_* variables."""
    env = {k: v for k, v in os.environ.items()
           if not k.lower().endswith("_proxy") and not k.startswith("AWS_")}
    env["NO_PROXY"] = env["no_proxy"] = "127.0.0.1,localhost"
    env["AWS_CONFIG_FILE"] = env["AWS_SHARED_CREDENTIALS_FILE"] = os.devnull
    env["AWS_EC2_METADATA_DISABLED"] = "true"
    env.update(extra or {})
    return env


def http(method, url, payload=None, body=None, timeout=10):
    """(status, body bytes) of one request to a local peer; never raises on an HTTP status."""
    if not url.startswith("http://%s:" % LOOPBACK):
        raise ValueError("aws_peers: refusing a request to %s (127.0.0.1 only)" % url)
    data = json.dumps(payload).encode() if payload is not None else body
    request = urllib.request.Request(url, data=data, method=method)
    try:
        with _OPENER.open(request, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def wait_until_answers(url, deadline_seconds=20.0, process=None):
    """Polls `url` until any HTTP answer comes back; raises if `process` exits or time runs out."""
    deadline = time.monotonic() + deadline_seconds
    last = None
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError("aws_peers: the peer exited with %s before answering" % process.returncode)
        try:
            http("GET", url, timeout=2)
            return
        except OSError as error:
            last = error
            time.sleep(0.05)
    raise RuntimeError("aws_peers: %s did not answer in %.0f s (%s)" % (url, deadline_seconds, last))


def client(service, url, key, secret, token=None, region="us-east-1"):
    """A botocore client aimed at a local peer: one attempt, path-style S3, no flexible checksums."""
    if not url.startswith("http://%s:" % LOOPBACK):
        raise ValueError("aws_peers: refusing an endpoint other than 127.0.0.1: %s" % url)
    if service in _JSON_TARGETS and service not in _SESSION.get_available_services():
        return JsonClient(service, url, Credentials(key, secret, token), region)
    config = Config(retries={"total_max_attempts": 1, "mode": "legacy"}, connect_timeout=5,
                    read_timeout=30, s3={"addressing_style": "path"}, proxies={},
                    **_WHEN_REQUIRED_CHECKSUMS)
    return _SESSION.create_client(service, region_name=region, endpoint_url=url,
                                  aws_access_key_id=key, aws_secret_access_key=secret,
                                  aws_session_token=token, config=config)


# The X-Amz-Target prefix of each JSON service that botocore may have no model for: Data Exports
# arrived in botocore 1.33, and Debian 12 ships 1.29.
_JSON_TARGETS = {"bcm-data-exports": "AWSBillingAndCostManagementDataExports"}


class JsonClient:
    """Stands in for the botocore client of a service in _JSON_TARGETS when botocore lacks its
    model: client.list_exports(**params) posts X-Amz-Target <prefix>.ListExports, signed by
    botocore's SigV4Auth, and returns the decoded JSON answer (unshaped: no model), or raises
    ClientError as the client would."""

    def __init__(self, service, url, credentials, region):
        self._target = _JSON_TARGETS[service]
        self._url = url
        self._signer = SigV4Auth(credentials, service, region)

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        operation = "".join(part.capitalize() for part in name.split("_"))
        return lambda **params: self._call(operation, params)

    def _call(self, operation, params):
        request = AWSRequest(method="POST", url=self._url + "/", data=json.dumps(params).encode(),
                             headers={"Content-Type": "application/x-amz-json-1.1",
                                      "X-Amz-Target": self._target + "." + operation})
        self._signer.add_auth(request)
        prepared = request.prepare()
        sent = urllib.request.Request(prepared.url, data=prepared.body, method="POST",
                                      headers=dict(prepared.headers.items()))
        try:
            with _OPENER.open(sent, timeout=30) as response:
                return json.loads(response.read())
        except urllib.error.HTTPError as error:
            answer = json.loads(error.read() or b"{}")
            code = answer.get("__type", "").rpartition("#")[2]
            message = answer.get("message", answer.get("Message", ""))
            raise ClientError({"Error": {"Code": code, "Message": message},
                               "ResponseMetadata": {"HTTPStatusCode": error.code}},
                              operation) from None


# -- identity ----------------------------------------------------------------------------------


class Identity:
    """An IAM user who may only assume one role, and that role (with an external id). The user
    is denied S3 and the billing APIs, so a collector that skips AssumeRole gets AccessDenied.
    Secrets are random per instance, so a test can search outputs for them."""

    def __init__(self, account_id="123456789012", role_name="edgecur-read"):
        alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
        self.account_id = account_id
        self.access_key = "AKIA" + "".join(secrets.choice(alphabet) for _ in range(16))
        self.secret_key = secrets.token_urlsafe(30)[:40]
        self.role_arn = "arn:aws:iam::%s:role/%s" % (account_id, role_name)
        self.external_id = "edgecur-e2e-" + secrets.token_hex(8)
        self.user_arn = "arn:aws:iam::%s:user/edgecur-e2e" % account_id

    def config(self):
        """The stand-in config keys: account_id, users, roles."""
        return {
            "account_id": self.account_id,
            "users": [{"access_key": self.access_key, "secret_key": self.secret_key,
                       "arn": self.user_arn,
                       "deny": ["s3:*", "cur:*", "bcm-data-exports:*", "organizations:*"]}],
            "roles": [{"arn": self.role_arn, "external_id": self.external_id,
                       "trusted": [self.access_key], "max_session_duration": 3600}],
        }

    def write_credentials_file(self, path):
        """An AWS shared-credentials file with the user's keys, chmod 600. Returns path."""
        with open(path, "w") as out:
            out.write("[default]\naws_access_key_id = %s\naws_secret_access_key = %s\n" % (
                self.access_key, self.secret_key))
        os.chmod(path, 0o600)
        return path

    def secrets(self):
        """Strings that must never appear in edgecur's output."""
        return [self.secret_key, self.external_id]


# -- the stand-in --------------------------------------------------------------------------------


class RangeFaults(standin_module.Faults):
    """The stand-in's faults plus one match key, "range_first": N, true only for a request whose
    Range header starts at byte N. It aims a cut/stall/throttle/error fault at one chunk of a
    ranged download (replace faults ignore it: the stand-in matches those itself)."""

    @staticmethod
    def matches(fault, ctx):
        if not standin_module.Faults.matches(fault, ctx):
            return False
        wanted = fault.get("range_first")
        if wanted is None:
            return True
        found = re.match(r"\s*bytes\s*=\s*(\d+)\s*-", ctx.header("Range") or "")
        return found is not None and int(found.group(1)) == int(wanted)


class StandInPeer:
    """A running stand-in, driven through its admin API (the same calls for both modes)."""

    def __init__(self, port, root, server=None, process=None):
        self.port = port
        self.root = root
        self.url = "http://%s:%d" % (LOOPBACK, port)
        self.server = server    # standin.StandIn when in-process
        self.process = process  # subprocess.Popen when a separate process

    def admin(self, method, path, payload=None, body=None):
        status, data = http(method, self.url + "/__admin" + path, payload=payload, body=body)
        if status != 200:
            raise RuntimeError("stand-in admin %s %s: %d %s" % (method, path, status, data[:300]))
        return json.loads(data.decode() or "null")

    def log(self):
        """Every request since the last clear, in order (see standin.py's docstring)."""
        return self.admin("GET", "/log")["requests"]

    def clear_log(self):
        self.admin("DELETE", "/log")

    def add_faults(self, faults):
        """Arms a fault or a list of them; returns their ids. In-process peers also take
        "range_first" (RangeFaults)."""
        if isinstance(faults, dict):
            faults = [faults]
        if any("range_first" in f for f in faults) and self.server is None:
            raise ValueError("range_first needs the in-process stand-in")
        return self.admin("POST", "/faults", payload=faults)["ids"]

    def armed_faults(self):
        return self.admin("GET", "/faults")["faults"]

    def clear_faults(self):
        self.admin("DELETE", "/faults")

    def set_clock(self, offset_seconds):
        return self.admin("POST", "/clock", payload={"offset": offset_seconds})

    def expire_sessions(self):
        return self.admin("POST", "/sessions/expire", payload={})["expired"]

    def sessions(self):
        return self.admin("GET", "/sessions")["sessions"]

    def configure(self, **update):
        return self.admin("POST", "/config", payload=update)

    def reset(self):
        return self.admin("POST", "/reset", payload={})

    def client(self, service, key, secret, token=None, region="us-east-1"):
        return client(service, self.url, key, secret, token, region)

    def role_client(self, identity, service, region="us-east-1"):
        """A botocore client with credentials from AssumeRole (as the identity's user)."""
        sts = self.client("sts", identity.access_key, identity.secret_key)
        creds = sts.assume_role(RoleArn=identity.role_arn, RoleSessionName="edgecur-rig-check",
                                ExternalId=identity.external_id)["Credentials"]
        return self.client(service, creds["AccessKeyId"], creds["SecretAccessKey"],
                           creds["SessionToken"], region)


@contextlib.contextmanager
def standin(root, config, in_process=True, verbose=False):
    """Runs tests/aws/standin/standin.py over the buckets in `root`: in this process on a thread
    (faults may use range_first) or as its own process (what a benchmark wants: this process's
    GIL stays out of the way). Yields a StandInPeer once /__admin/health answers."""
    os.makedirs(root, exist_ok=True)
    if in_process:
        server = standin_module.StandIn(root, None, 0, verbose)
        server.state.faults = RangeFaults(server.state.lock)
        server.state.merge_config(config or {})
        port = server.start()
        peer = StandInPeer(port, root, server=server)
        try:
            wait_until_answers(peer.url + "/__admin/health")
            yield peer
        finally:
            server.stop()
        return
    port_file = os.path.join(root, ".standin-port")
    if os.path.exists(port_file):
        os.remove(port_file)
    process = subprocess.Popen([sys.executable, STANDIN_PY, "--root", root, "--port-file", port_file,
                                "--config", json.dumps(config or {})] + (["--verbose"] if verbose else []),
                               stdout=subprocess.DEVNULL, stderr=None if verbose else subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while not os.path.exists(port_file):
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("aws_peers: the stand-in did not start (exit %s)" % process.poll())
            time.sleep(0.05)
        with open(port_file) as handle:
            port = int(handle.read().strip())
        peer = StandInPeer(port, root, process=process)
        wait_until_answers(peer.url + "/__admin/health", process=process)
        yield peer
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


# -- s3rver --------------------------------------------------------------------------------------


def s3rver_js():
    """Where bin/s3rver.js is expected: $S3RVER_JS, else the .ci/setup cache directory."""
    if os.environ.get("S3RVER_JS"):
        return os.environ["S3RVER_JS"]
    cache = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(cache, "edgecur", "npm", "node_modules", "s3rver", "bin", "s3rver.js")


def s3rver_missing():
    """None when s3rver can run here, else why not."""
    if shutil.which("node") is None:
        return "node is not installed (Debian: nodejs); run .ci/setup"
    if not os.path.isfile(s3rver_js()):
        return ("s3rver %s not found at %s: run .ci/setup (npm install into the cache) or set "
                "S3RVER_JS" % (S3RVER_VERSION, s3rver_js()))
    return None


def require_s3rver(test):
    """Fails `test` when s3rver is missing under CI=true; otherwise skips it, loudly."""
    reason = s3rver_missing()
    if reason is None:
        return
    if os.environ.get("CI", "").lower() in ("true", "1", "yes"):
        test.fail("s3rver is required in CI: " + reason)
    sys.stderr.write("\n*** SKIPPING %s: %s ***\n" % (test.id(), reason))
    test.skipTest(reason)


class S3rverPeer:
    def __init__(self, port, directory, log_path):
        self.port = port
        self.directory = directory
        self.log_path = log_path
        self.url = "http://%s:%d" % (LOOPBACK, port)

    def client(self, region="us-east-1"):
        return client("s3", self.url, S3RVER_KEY, S3RVER_KEY, region=region)


@contextlib.contextmanager
def s3rver(directory, buckets):
    """Runs s3rver over `directory` with `buckets` created, on a free port of 127.0.0.1 (it picks
    the port, -p 0, and says which on its first line). Yields an S3rverPeer."""
    reason = s3rver_missing()
    if reason is not None:
        raise RuntimeError("aws_peers: " + reason)
    os.makedirs(directory, exist_ok=True)
    data = os.path.join(directory, "data")
    log_path = os.path.join(directory, "s3rver.log")
    argv = ["node", "--openssl-legacy-provider", s3rver_js(), "-d", data, "-a", LOOPBACK, "-p", "0",
            "--no-vhost-buckets"]
    for bucket in buckets:
        argv += ["--configure-bucket", bucket]
    with open(log_path, "wb") as log:
        process = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        port = None
        while port is None:
            with open(log_path, "rb") as log:
                found = re.search(rb"listening on 127\.0\.0\.1:(\d+)", log.read())
            if found:
                port = int(found.group(1))
            elif process.poll() is not None or time.monotonic() > deadline:
                with open(log_path, "rb") as log:
                    tail = log.read()[-2000:].decode(errors="replace")
                raise RuntimeError("aws_peers: s3rver did not start (exit %s):\n%s" % (process.poll(), tail))
            else:
                time.sleep(0.05)
        peer = S3rverPeer(port, directory, log_path)
        wait_until_answers(peer.url + "/", process=process)
        yield peer
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

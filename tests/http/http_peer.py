#!/usr/bin/env python3
# tests/http/http_peer.py - Local HTTP/HTTPS origin and forward proxy on 127.0.0.1 for HttpClient tests.
"""Servers for tests/http/http_client_test.cpp. Everything listens on 127.0.0.1 only, on ports the
OS picks, and the proxy only tunnels to 127.0.0.1. Nothing here opens a connection elsewhere.

Run:  python3 http_peer.py --port-file F [--tls-dir D] [--lifetime S]
Writes F (JSON) when ready: {"http": P, "proxy": P, "proxy_auth": P, "https": P | null,
"tls_error": text | null}. With --tls-dir, creates there with openssl: ca.pem (the test CA),
server.pem/server.key (a certificate for DNS:localhost signed by it) and other-ca.pem (an unrelated
CA). Exits when its parent dies or after --lifetime seconds (default 300), whichever comes first.

Origin routes (any method; query parameters as noted):
  /echo...                  200 text/plain: the request line, each header line as received, an
                            empty line, the body
  /bytes?n=N                200, N bytes of the pattern (byte i is i % 251), Content-Length set
  /cut?n=N&after=M          Content-Length N, M bytes of the pattern, then the connection closes
  /stall?n=N&after=M&seconds=S  Content-Length N, M bytes, then S seconds (at most 5) of silence
  /trickle?n=N&chunk=C&interval=T  the pattern, C bytes every T seconds
  /close                    closes the connection without answering
  /status?code=C&aws=CODE&message=M&retry_after=R  an S3-style XML error (x-amz-request-id set)
  /flaky?key=K&failures=F&code=C&aws=CODE&date_offset=S  the first F requests for K fail like
                            /status, then 200; every answer's Date is S seconds (default 0) ahead
  /date?value=V             200 with the header Date: V
  /object                   a 1000-byte object (the pattern) with an ETag; honours Range
                            (bytes=a-b, bytes=a-); a start past the end is 416 InvalidRange
  /long-etag?bytes=N        200 with an ETag of N characters
  /error-body?n=N&code=C    status C with an N-byte body starting <Error><Code>InternalError
  /redirect                 302 to /echo
Proxy ports: absolute-URI requests are answered here (as the origin would, the request line shows
the absolute URI); CONNECT host:port tunnels to 127.0.0.1:port. The proxy_auth port wants
Proxy-Authorization: Basic base64("user:s3cret"), else 407.
"""

import argparse
import base64
import email.utils
import json
import os
import select
import socket
import ssl
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

LOOPBACK = "127.0.0.1"
TUNNEL_HOSTS = {"127.0.0.1", "localhost"}
MAX_SLEEP_SECONDS = 5.0
PROXY_CREDENTIALS = "user:s3cret"
OBJECT_SIZE = 1000
OBJECT_ETAG = '"0123456789abcdef0123456789abcdef"'

_PATTERN = bytes(i % 251 for i in range(251)) * 262  # 65762 bytes, a whole number of periods
_lock = threading.Lock()
_flaky_counts = {}
_connection_ids = [0]


def pattern(offset, length):
    out = bytearray()
    while length > 0:
        start = offset % 251
        piece = _PATTERN[start:start + min(length, len(_PATTERN) - 251)]
        out += piece
        offset += len(piece)
        length -= len(piece)
    return bytes(out)


def xml_error(code, message, request_id="REQ-PEER-1"):
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>{code}</Code>'
            f'<Message>{message}</Message><RequestId>{request_id}</RequestId></Error>').encode()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "http-peer"
    sys_version = ""

    def log_message(self, *args):
        pass

    def setup(self):
        super().setup()
        with _lock:
            _connection_ids[0] += 1
            self.connection_id = _connection_ids[0]

    # ---- helpers ---------------------------------------------------------------------------
    def read_body(self):
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def start(self, status, headers=(), length=None, date=None, reason=None):
        self.send_response_only(status, reason)
        self.send_header("Date", date if date is not None else self.date_time_string())
        self.send_header("X-Served-By", self.server.role)
        self.send_header("X-Connection", str(self.connection_id))
        for name, value in headers:
            self.send_header(name, value)
        if length is not None:
            self.send_header("Content-Length", str(length))
        self.end_headers()

    def reply(self, status, body=b"", headers=(), date=None):
        self.start(status, headers, len(body), date)
        if self.command != "HEAD":
            self.wfile.write(body)

    def hang_up(self):
        self.wfile.flush()
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.close_connection = True

    def proxy_authorized(self):
        if not self.server.wants_credentials:
            return True
        expected = "Basic " + base64.b64encode(PROXY_CREDENTIALS.encode()).decode()
        if self.headers.get("Proxy-Authorization") == expected:
            return True
        self.read_body()
        self.reply(407, b"proxy credentials needed", [("Proxy-Authenticate", 'Basic realm="peer"')])
        return False

    # ---- dispatch ----------------------------------------------------------------------------
    def do_CONNECT(self):
        if self.server.role == "origin" or not self.proxy_authorized():
            if self.server.role == "origin":
                self.reply(405, b"not a proxy")
            return
        host, _, port = self.path.rpartition(":")
        if host not in TUNNEL_HOSTS or not port.isdigit():
            self.reply(403, b"tunnels go to 127.0.0.1 only")
            return
        try:
            upstream = socket.create_connection((LOOPBACK, int(port)), timeout=5)
        except OSError:
            self.reply(502, b"cannot reach the origin")
            return
        self.send_response_only(200, "Connection established")
        self.end_headers()
        self.wfile.flush()
        sockets = [self.connection, upstream]
        try:
            while True:
                readable, _, _ = select.select(sockets, [], [], 10)
                if not readable:
                    break
                for sock in readable:
                    data = sock.recv(65536)
                    if not data:
                        return
                    (upstream if sock is self.connection else self.connection).sendall(data)
        except OSError:
            pass
        finally:
            upstream.close()
            self.close_connection = True

    def do_GET(self):
        self.route()

    do_POST = do_PUT = do_DELETE = do_HEAD = do_PATCH = do_GET

    def route(self):
        if self.server.role != "origin" and not self.proxy_authorized():
            return
        parts = urlsplit(self.path)
        query = {k: v[-1] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
        path = parts.path
        body = self.read_body()
        number = lambda name, default=0: int(query.get(name, default))

        if path.startswith("/echo"):
            lines = [self.requestline] + [f"{n}: {v}" for n, v in self.headers.items()]
            self.reply(200, ("\n".join(lines) + "\n\n").encode() + body,
                       [("Content-Type", "text/plain")])
        elif path == "/bytes":
            n = number("n")
            self.start(200, [("Content-Type", "application/octet-stream")], n)
            sent = 0
            while sent < n and self.command != "HEAD":
                piece = pattern(sent, min(65536, n - sent))
                self.wfile.write(piece)
                sent += len(piece)
        elif path == "/cut":
            self.start(200, [], number("n"))
            self.wfile.write(pattern(0, number("after")))
            self.hang_up()
        elif path == "/stall":
            self.start(200, [], number("n"))
            self.wfile.write(pattern(0, number("after")))
            self.wfile.flush()
            time.sleep(min(float(query.get("seconds", 1)), MAX_SLEEP_SECONDS))
            self.hang_up()
        elif path == "/trickle":
            n, chunk = number("n"), number("chunk", 1000)
            interval = min(float(query.get("interval", 0.1)), 1.0)
            self.start(200, [], n)
            sent = 0
            deadline = time.monotonic() + MAX_SLEEP_SECONDS
            try:
                while sent < n and time.monotonic() < deadline:
                    piece = pattern(sent, min(chunk, n - sent))
                    self.wfile.write(piece)
                    self.wfile.flush()
                    sent += len(piece)
                    time.sleep(interval)
            except OSError:
                pass
            self.hang_up()
        elif path == "/close":
            self.hang_up()
        elif path == "/status":
            self.error_reply(query)
        elif path == "/flaky":
            key = query.get("key", "")
            with _lock:
                count = _flaky_counts.get(key, 0) + 1
                _flaky_counts[key] = count
            date = email.utils.formatdate(time.time() + number("date_offset"), usegmt=True)
            if count <= number("failures"):
                self.error_reply(query, f"REQ-FLAKY-{count}", date)
            else:
                self.reply(200, f"ok after {count - 1} failures".encode(),
                           [("x-amz-request-id", f"REQ-FLAKY-{count}")], date)
        elif path == "/date":
            self.reply(200, b"dated", date=query.get("value", ""))
        elif path == "/object":
            self.object_reply()
        elif path == "/long-etag":
            self.reply(200, b"x", [("ETag", '"' + "e" * (number("bytes") - 2) + '"')])
        elif path == "/error-body":
            n = number("n")
            head = b"<Error><Code>InternalError</Code><Message>padded</Message></Error>"
            self.reply(number("code", 500), (head + b" " * n)[:n] if n >= len(head) else head[:n])
        elif path == "/redirect":
            self.reply(302, b"moved", [("Location", "/echo")])
        else:
            self.reply(404, xml_error("NoSuchKey", "The specified key does not exist."))

    def error_reply(self, query, request_id="REQ-PEER-1", date=None):
        headers = [("Content-Type", "application/xml"), ("x-amz-request-id", request_id)]
        if "retry_after" in query:
            headers.append(("Retry-After", query["retry_after"]))
        self.reply(int(query.get("code", 500)),
                   xml_error(query.get("aws", "InternalError"),
                             query.get("message", "We encountered an internal error."),
                             request_id), headers, date)

    def object_reply(self):
        headers = [("ETag", OBJECT_ETAG), ("Accept-Ranges", "bytes"),
                   ("Content-Type", "application/octet-stream")]
        spec = self.headers.get("Range")
        if not spec:
            self.reply(200, pattern(0, OBJECT_SIZE), headers)
            return
        first_text, _, last_text = spec.removeprefix("bytes=").partition("-")
        first = int(first_text)
        last = min(int(last_text) if last_text else OBJECT_SIZE - 1, OBJECT_SIZE - 1)
        if first >= OBJECT_SIZE:
            self.reply(416, xml_error("InvalidRange", "The requested range is not satisfiable"),
                       [("Content-Range", f"bytes */{OBJECT_SIZE}"),
                        ("Content-Type", "application/xml")])
            return
        self.reply(206, pattern(first, last - first + 1),
                   headers + [("Content-Range", f"bytes {first}-{last}/{OBJECT_SIZE}")])


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, role, wants_credentials=False, tls_context=None):
        super().__init__((LOOPBACK, 0), Handler)
        self.role = role
        self.wants_credentials = wants_credentials
        if tls_context is not None:
            self.socket = tls_context.wrap_socket(self.socket, server_side=True)

    def handle_error(self, request, client_address):
        pass  # a client that gave up (a test of ours) is not news


def openssl(*args, cwd):
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True, timeout=30)


def make_certificates(directory):
    """A test CA, a localhost certificate it signs, and an unrelated CA; P-256 keys (fast, and
    what mbedTLS builds verify too)."""
    os.makedirs(directory, exist_ok=True)
    key = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    for name in ("ca", "other-ca"):
        openssl("req", "-x509", *key, "-keyout", f"{name}.key", "-out", f"{name}.pem", "-days",
                "2", "-subj", f"/CN=edgecur test {name}", "-addext",
                "basicConstraints=critical,CA:TRUE", "-addext",
                "keyUsage=critical,keyCertSign,cRLSign", cwd=directory)
    openssl("req", *key, "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=localhost",
            cwd=directory)
    with open(os.path.join(directory, "server.ext"), "w") as ext:
        ext.write("subjectAltName=DNS:localhost\nbasicConstraints=CA:FALSE\n"
                  "keyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n")
    openssl("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
            "-CAcreateserial", "-out", "server.pem", "-days", "2", "-extfile", "server.ext",
            cwd=directory)


def watch_parent(parent, lifetime):
    deadline = time.monotonic() + lifetime
    while time.monotonic() < deadline and os.getppid() == parent:
        time.sleep(0.2)
    os._exit(0)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port-file", required=True)
    parser.add_argument("--tls-dir")
    parser.add_argument("--lifetime", type=float, default=300)
    args = parser.parse_args()

    servers = {"http": Server("origin"), "proxy": Server("proxy"),
               "proxy_auth": Server("proxy", wants_credentials=True)}
    ports = {name: server.server_address[1] for name, server in servers.items()}
    ports["https"] = None
    ports["tls_error"] = None
    if args.tls_dir:
        try:
            make_certificates(args.tls_dir)
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.minimum_version = ssl.TLSVersion.TLSv1_2
            context.load_cert_chain(os.path.join(args.tls_dir, "server.pem"),
                                    os.path.join(args.tls_dir, "server.key"))
            servers["https"] = Server("origin-tls", tls_context=context)
            ports["https"] = servers["https"].server_address[1]
        except (OSError, subprocess.SubprocessError, ssl.SSLError) as error:
            ports["tls_error"] = str(error)

    threading.Thread(target=watch_parent, args=(os.getppid(), args.lifetime), daemon=True).start()
    for server in servers.values():
        threading.Thread(target=server.serve_forever, daemon=True).start()
    temporary = args.port_file + ".tmp"
    with open(temporary, "w") as out:
        json.dump(ports, out)
    os.replace(temporary, args.port_file)
    threading.Event().wait()


if __name__ == "__main__":
    sys.exit(main())

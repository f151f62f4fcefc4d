"""tests/deps/fetch_test.py - The version fallback of toolchains/deps/fetch-source.sh and
fetch-binary.sh, driven through the real apt against a scripted mirror on 127.0.0.1.

The mirror is a flat Debian repository served by http.server: a source package `edgecur-demo`
and a binary package `edgecur-demo-dev` (arm64), each in three versions. The newest version's
files are missing (404), the next one's tarball differs from the hash in the index, the third is
whole. apt, dpkg-source and dpkg-deb are Debian's own: only the mirror is scripted. The scripts
read this mirror instead of the system's apt sources through EDGECUR_APT_ETC.

Asserted: the version chosen, the tree unpacked, the messages on stderr (which version was taken,
why each newer one was skipped), the origin file the build manifest is made from, and the message
that lists every version tried when none can be had.
"""
import functools
import hashlib
import http.server
import os
import pathlib
import shutil
import subprocess
import tempfile
import threading
import unittest

SOURCE_DIR = pathlib.Path(__file__).resolve().parents[2]
FETCH_SOURCE = SOURCE_DIR / "toolchains" / "deps" / "fetch-source.sh"
FETCH_BINARY = SOURCE_DIR / "toolchains" / "deps" / "fetch-binary.sh"

SOURCE = "edgecur-demo"
BINARY = "edgecur-demo-dev"
# Newest first: the first 404s, the second has a bad hash, the third works. The epoch checks that
# versions are ordered as Debian orders them (1:1.0 is newer than 2.0).
VERSIONS = ["1:1.2", "1:1.1", "1:1.0"]
MISSING, BAD_HASH, GOOD = VERSIONS


def run(command, cwd=None, env=None):
    return subprocess.run(command, cwd=cwd, env=env, check=True, capture_output=True, text=True)


def no_epoch(version):
    return version.split(":", 1)[-1]


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def send_error(self, code, message=None, explain=None):
        # A Debian mirror's reason phrase ("404  Not Found"), not http.server's "File not found".
        super().send_error(code, None, explain)


class Mirror:
    """A flat repository (deb and deb-src "./") in a folder, served on 127.0.0.1."""

    def __init__(self, root):
        self.root = root
        self.pool = root / "repo"
        self.pool.mkdir(parents=True)
        self.server = None

    def add_source(self, version):
        tree = self.root / "build" / f"{SOURCE}-{no_epoch(version)}"
        (tree / "debian" / "source").mkdir(parents=True)
        (tree / "debian" / "source" / "format").write_text("3.0 (native)\n")
        (tree / "debian" / "control").write_text(
            f"Source: {SOURCE}\nMaintainer: edgecur tests <tests@localhost>\n\n"
            f"Package: {BINARY}\nArchitecture: any\nDescription: test package\n")
        (tree / "debian" / "changelog").write_text(
            f"{SOURCE} ({version}) bookworm; urgency=medium\n\n  * test\n\n"
            " -- edgecur tests <tests@localhost>  Mon, 07 Dec 2026 12:00:00 +0000\n")
        (tree / "hello.c").write_text(f"const char* version = \"{version}\";\n")
        run(["dpkg-source", "-b", tree.name], cwd=tree.parent)
        for built in tree.parent.glob(f"{SOURCE}_{no_epoch(version)}*"):
            shutil.move(str(built), self.pool / built.name)

    def add_binary(self, version):
        tree = self.root / "build" / f"{BINARY}_{no_epoch(version)}_arm64"
        (tree / "DEBIAN").mkdir(parents=True)
        (tree / "DEBIAN" / "control").write_text(
            f"Package: {BINARY}\nVersion: {version}\nArchitecture: arm64\n"
            "Maintainer: edgecur tests <tests@localhost>\nDescription: test package\n")
        (tree / "usr" / "include").mkdir(parents=True)
        (tree / "usr" / "include" / "demo.h").write_text(f"/* {version} */\n")
        run(["dpkg-deb", "--build", "--root-owner-group", str(tree),
             str(self.pool / f"{BINARY}_{no_epoch(version)}_arm64.deb")])

    def index(self):
        """Sources and Packages with every version, then the damage the tests need."""
        sources = run(["dpkg-scansources", "."], cwd=self.pool).stdout
        (self.pool / "Sources").write_text(sources)
        packages = run(["dpkg-scanpackages", "--multiversion", "--arch", "arm64", "."], cwd=self.pool).stdout
        (self.pool / "Packages").write_text(packages)
        # The newest version's files are gone (the mirror serves the index, not the files).
        for name in self.pool.glob(f"*_{no_epoch(MISSING)}*"):
            name.unlink()
        # The next one's tarball and .deb are not what the index says.
        for name in list(self.pool.glob(f"{SOURCE}_{no_epoch(BAD_HASH)}.tar.*")) + list(
                self.pool.glob(f"{BINARY}_{no_epoch(BAD_HASH)}_arm64.deb")):
            data = bytearray(name.read_bytes())
            data[len(data) // 2] ^= 0xFF
            name.write_bytes(bytes(data))
        release = ["Origin: edgecur-tests", "Suite: bookworm",
                   "Date: Mon, 07 Dec 2026 12:00:00 UTC", "SHA256:"]
        for index in ("Sources", "Packages"):
            data = (self.pool / index).read_bytes()
            release.append(f" {hashlib.sha256(data).hexdigest()} {len(data)} {index}")
        (self.pool / "Release").write_text("\n".join(release) + "\n")

    def start(self):
        handler = functools.partial(QuietHandler, directory=str(self.pool))
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return f"http://127.0.0.1:{self.server.server_address[1]}/"

    def stop(self):
        if self.server:
            self.server.shutdown()
            self.server.server_close()


class FetchFallbackTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        for tool in ("apt-get", "dpkg-source", "dpkg-scansources", "dpkg-deb"):
            if not shutil.which(tool):
                raise unittest.SkipTest(f"{tool} is not installed (apt-get install dpkg-dev)")
        cls.temp = pathlib.Path(tempfile.mkdtemp(prefix="edgecur-fetch-"))
        cls.mirror = Mirror(cls.temp / "mirror")
        for version in VERSIONS:
            cls.mirror.add_source(version)
            cls.mirror.add_binary(version)
        cls.mirror.index()
        url = cls.mirror.start()
        cls.apt_etc = cls.temp / "etc-apt"
        (cls.apt_etc / "sources.list.d").mkdir(parents=True)
        (cls.apt_etc / "sources.list").write_text(f"deb [trusted=yes] {url} ./\n")

    @classmethod
    def tearDownClass(cls):
        cls.mirror.stop()
        shutil.rmtree(cls.temp, ignore_errors=True)

    def fetch(self, script, *args, apt_etc=None):
        cache = pathlib.Path(tempfile.mkdtemp(dir=self.temp, prefix="cache-"))
        env = dict(os.environ, EDGECUR_APT_ETC=str(apt_etc or self.apt_etc))
        done = subprocess.run(["bash", str(script), *args, str(cache)], env=env,
                              capture_output=True, text=True, timeout=300)
        return done, cache

    def origin(self, path):
        return dict(line.split("=", 1) for line in pathlib.Path(path).read_text().splitlines())

    def test_source_takes_the_newest_version_that_downloads_whole(self):
        done, cache = self.fetch(FETCH_SOURCE, SOURCE)
        self.assertEqual(done.returncode, 0, done.stderr)
        tree = pathlib.Path(done.stdout.strip())
        self.assertEqual(tree, cache / f"{SOURCE}-1.0")
        self.assertIn('"1:1.0"', (tree / "hello.c").read_text())
        err = done.stderr
        self.assertIn(f"fetch-source: skipped 1:1.2 ({SOURCE}_1.2.dsc: 404 Not Found)", err)
        self.assertIn(f"fetch-source: skipped 1:1.1 ({SOURCE}_1.1.tar.xz: Hash Sum mismatch)", err)
        self.assertIn(f"fetch-source: took {SOURCE} 1:1.0, older than the newest known 1:1.2; "
                      "skipped:", err)
        # Newest first: 1.2 is tried before 1.1, and 1.1 before 1.0.
        self.assertLess(err.index("skipped 1:1.2"), err.index("skipped 1:1.1"))
        origin = self.origin(cache / f"{SOURCE}-1.0.origin")
        self.assertEqual(origin["version"], "1:1.0")
        self.assertEqual(origin["upstream"], "1.0")
        self.assertEqual(origin["kind"], "source")
        self.assertEqual(origin["fallback"], "yes")
        self.assertEqual(origin["newest"], "1:1.2")
        self.assertEqual(origin["skipped"], f"1:1.2: {SOURCE}_1.2.dsc: 404 Not Found, "
                                            f"1:1.1: {SOURCE}_1.1.tar.xz: Hash Sum mismatch")
        self.assertRegex(origin["dsc_sha256"], "^[0-9a-f]{64}$")
        # Nothing of the failed attempts is left to be mistaken for a download.
        self.assertEqual(sorted(p.name for p in (cache / "download").iterdir()),
                         [f"{SOURCE}-1.0"])

        # A second call finds the tree and fetches nothing.
        env = dict(os.environ, EDGECUR_APT_ETC=str(self.apt_etc))
        again = subprocess.run(["bash", str(FETCH_SOURCE), SOURCE, str(cache)], env=env,
                               capture_output=True, text=True, timeout=60)
        self.assertEqual(again.returncode, 0, again.stderr)
        self.assertEqual(again.stdout.strip(), str(tree))
        self.assertIn("already unpacked", again.stderr)
        self.assertNotIn("fetching", again.stderr)

    def test_binary_takes_the_newest_version_that_downloads_whole(self):
        done, cache = self.fetch(FETCH_BINARY, BINARY, "arm64")
        self.assertEqual(done.returncode, 0, done.stderr)
        tree = pathlib.Path(done.stdout.strip())
        self.assertEqual(tree, cache / f"{BINARY}_1.0_arm64")
        self.assertEqual((tree / "usr" / "include" / "demo.h").read_text(), "/* 1:1.0 */\n")
        err = done.stderr
        self.assertIn(f"fetch-binary: skipped 1:1.2 ({BINARY}_1.2_arm64.deb: 404 Not Found)", err)
        self.assertIn(f"fetch-binary: skipped 1:1.1 ({BINARY}_1.1_arm64.deb: Hash Sum mismatch)",
                      err)
        self.assertIn(f"fetch-binary: took {BINARY} 1:1.0, older than the newest known 1:1.2", err)
        origin = self.origin(cache / f"{BINARY}_1.0_arm64.origin")
        self.assertEqual((origin["version"], origin["kind"], origin["arch"], origin["fallback"]),
                         ("1:1.0", "binary", "arm64", "yes"))

    def test_no_version_can_be_had_lists_each_with_its_error(self):
        # The whole version is missing now: every version fails, each for its own reason.
        good = sorted(self.mirror.pool.glob(f"{SOURCE}_1.0*"))
        hidden = [path.with_suffix(path.suffix + ".hidden") for path in good]
        for path, away in zip(good, hidden):
            path.rename(away)
        try:
            done, _ = self.fetch(FETCH_SOURCE, SOURCE)
        finally:
            for path, away in zip(good, hidden):
                away.rename(path)
        self.assertEqual(done.returncode, 1)
        self.assertEqual(done.stdout, "")
        err = done.stderr
        self.assertIn(f"fetch-source: cannot fetch the Debian source package of {SOURCE}: every "
                      "version failed:\n"
                      f"  1:1.2: {SOURCE}_1.2.dsc: 404 Not Found\n"
                      f"  1:1.1: {SOURCE}_1.1.tar.xz: Hash Sum mismatch\n"
                      f"  1:1.0: {SOURCE}_1.0.dsc: 404 Not Found\n", err)

    def test_a_package_no_source_names(self):
        done, _ = self.fetch(FETCH_SOURCE, "edgecur-no-such-package")
        self.assertEqual(done.returncode, 1)
        self.assertIn("cannot fetch the Debian source package of edgecur-no-such-package: the "
                      "system's apt sources name no version of it", done.stderr)


if __name__ == "__main__":
    unittest.main()

# tests/e2e/e2e_support.py - Running edgecur, the generator and the reference from tests.
"""Shared helpers for the end-to-end tests. Paths come from the environment set by CTest:
EDGECUR_BIN, CUR_GENERATOR, CUR_REFERENCE, EC_SOURCE_DIR, EC_WORK_DIR."""
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

BIN = os.environ.get("EDGECUR_BIN", "build/debug/firmware/edgecur")
GENERATOR = os.environ.get("CUR_GENERATOR", "build/debug/bench/cur_generator")
REFERENCE = os.environ.get("CUR_REFERENCE", "tests/reference/cur_reference.py")
SOURCE_DIR = os.environ.get("EC_SOURCE_DIR", os.getcwd())
SHARED = os.path.join(SOURCE_DIR, "..", "shared", "testdata", "cur-samples")
WORK_ROOT = os.environ.get("EC_WORK_DIR", tempfile.gettempdir())


def run(args, check=True, env=None, timeout=600):
    """Runs a command, returns CompletedProcess with text output."""
    result = subprocess.run(args, capture_output=True, text=True, env=env, timeout=timeout)
    if check and result.returncode != 0:
        raise AssertionError(f"{args} exited {result.returncode}\nstdout:\n{result.stdout}\n"
                             f"stderr:\n{result.stderr}")
    return result


def edgecur(*args, check=True, env=None, timeout=600):
    return run([BIN, *args], check=check, env=env, timeout=timeout)


def generate(path, shape="legacy", rows=1000, seed=1, period="2024-03", encoding="--gzip",
             extra=()):
    run([GENERATOR, "--shape", shape, "--rows", str(rows), "--seed", str(seed), "--period", period,
         encoding, "--out", path, *extra])
    return path


def reference(files, by="hour", malformed="skip", deliveries=None):
    """The reference report CSV text for one delivery (files) or a list of deliveries."""
    args = [sys.executable, REFERENCE, "--by", by, "--malformed", malformed]
    if deliveries is not None:
        args.append("--deliveries")
        for index, delivery in enumerate(deliveries):
            if index:
                args.append("--")
            args.extend(delivery)
    else:
        args.extend(files)
    return run(args).stdout


def report(store, by="hour", fmt="csv", extra=()):
    return edgecur("report", "--store", store, "--format", fmt, "--by", by, *extra).stdout


def restore(snapshot, store):
    """Puts the store back to `snapshot` (a closed store file), dropping what a killed writer left
    beside it."""
    for suffix in ("-wal", "-shm", "-staging"):
        if os.path.exists(store + suffix):
            os.unlink(store + suffix)
    shutil.copyfile(snapshot, store)


class WorkDirTest(unittest.TestCase):
    """Gives each test a fresh directory under EC_WORK_DIR."""

    def setUp(self):
        os.makedirs(WORK_ROOT, exist_ok=True)
        self._dir = tempfile.TemporaryDirectory(dir=WORK_ROOT, prefix=self.id().split(".")[-1] + "-")
        self.dir = self._dir.name

    def tearDown(self):
        self._dir.cleanup()

    def path(self, name):
        return os.path.join(self.dir, name)

    def assertReportEqual(self, actual, expected, what=""):
        if actual == expected:
            return
        actual_lines = actual.splitlines()
        expected_lines = expected.splitlines()
        for index, (a, e) in enumerate(zip(actual_lines, expected_lines)):
            if a != e:
                self.fail(f"{what}: first difference at line {index + 1}:\n edgecur:   {a}\n"
                          f" reference: {e}\n({len(actual_lines)} vs {len(expected_lines)} lines)")
        self.fail(f"{what}: {len(actual_lines)} lines from edgecur, {len(expected_lines)} from the "
                  f"reference")

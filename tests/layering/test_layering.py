#!/usr/bin/env python3
"""tests/layering/test_layering.py - The layering check passes on the tree and fails on planted
violations, one of each rule, naming file and line.

    cd tests/layering && python3 -m unittest -v test_layering
"""
import os
import shutil
import tempfile
import unittest

import layering_check

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


class Layering(unittest.TestCase):
    def test_the_tree_keeps_its_layers(self):
        found = list(layering_check.violations(ROOT))
        self.assertEqual(found, [], "\n".join(found))

    def test_a_planted_violation_of_each_rule_is_found_with_its_line(self):
        work = tempfile.mkdtemp(prefix="ec-layering-")
        self.addCleanup(shutil.rmtree, work)
        os.makedirs(os.path.join(work, "core"))
        shutil.copy(os.path.join(ROOT, "core", "CMakeLists.txt"), os.path.join(work, "core"))
        planted = {
            "core/base/x.h": '#include "core/base/bytes.h"\n#include "core/net/aws_error.h"\n',
            "core/csv/y.cpp": '#include "core/base/arena.h"\n#include "core/store/store.h"\n',
            "core/agg/z.cpp": '#include "core/agg/hour_key.h"\n  #  include "platform/output.h"\n',
            "core/codec/w.cpp": "#include <cstdint>\n#include <unistd.h>\n",
            "core/source/v.cpp": '#include "core/store/store.h"\n#include "firmware/console.h"\n',
            "platform/posix/p.cpp": '#include "platform/output.h"\n#include "core/net/retry_policy.h"\n',
            "firmware/f.cpp": '#include "platform/output.h"\n#include "core/source/report_sync.h"\n',
        }
        for relative, text in planted.items():
            path = os.path.join(work, relative)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w") as out:
                out.write(text)
        found = sorted(layering_check.violations(work))
        lines = sorted(text.split(": ")[0] for text in found)
        # Line 2 of each core/ and platform/ file, and nothing in firmware/.
        self.assertEqual(lines, sorted(path + ":2" for path in planted
                                       if not path.startswith("firmware/")), "\n".join(found))
        self.assertIn("core/csv does not link ec_store", "\n".join(found))
        self.assertEqual(layering_check.main(["layering_check", work]), 1)


if __name__ == "__main__":
    unittest.main()

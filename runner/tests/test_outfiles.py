import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from nbrunner.outfiles import collect  # noqa: E402


class OutFilesTest(unittest.TestCase):
    def test_keeps_within_limits_skips_input_output_and_links(self):
        with tempfile.TemporaryDirectory() as d:
            for rel, size in [("a.csv", 10), ("sub/b.png", 20), ("c.bin", 100), ("input/notebook.ipynb", 5), ("output/result.json", 5)]:
                os.makedirs(os.path.dirname(os.path.join(d, rel)) or d, exist_ok=True)
                with open(os.path.join(d, rel), "wb") as f:
                    f.write(b"x" * size)
            os.symlink("/etc/passwd", os.path.join(d, "link"))
            r = collect(d, max_bytes=50, max_count=10)
            self.assertEqual(r["kept"], [{"name": "a.csv", "size": 10}, {"name": "sub/b.png", "size": 20}])
            self.assertEqual(r["dropped"], [{"name": "c.bin", "size": 100}])
            self.assertTrue(os.path.isfile(os.path.join(d, "output", "files", "sub", "b.png")))
            self.assertEqual(collect(d, max_bytes=1000, max_count=1)["kept"], [{"name": "a.csv", "size": 10}])


if __name__ == "__main__":
    unittest.main()

"""Notebook JSON without nbformat (nbrunner/nbjson.py): what nbformat.reads/writes give for v4."""
import json
import unittest

from nbrunner import nbjson

SPLIT = {
    "cells": [
        {"cell_type": "code", "execution_count": 1, "id": "a", "metadata": {"trusted": True, "tags": ["x"]},
         "source": ["print(1)\n", "2"],
         "outputs": [
             {"output_type": "stream", "name": "stdout", "text": ["1\n", "2\n"]},
             {"output_type": "display_data", "metadata": {},
              "data": {"text/plain": ["a\n", "b"], "image/svg+xml": ["<svg>\n", "</svg>"],
                       "application/json": {"k": ["x\n", "y"]}, "image/png": "iVBOR\n"}},
         ]},
        {"cell_type": "markdown", "id": "b", "metadata": {}, "source": "text"},
    ],
    "metadata": {"orig_nbformat": 3, "kernelspec": {"name": "python3"}},
    "nbformat": 4,
    "nbformat_minor": 5,
}


class NbJsonTest(unittest.TestCase):
    def test_reads_rejoins_lines_and_strips_transient_fields(self):
        nb = nbjson.reads(json.dumps(SPLIT))
        cell = nb["cells"][0]
        self.assertEqual(cell["source"], "print(1)\n2")
        self.assertEqual(cell["outputs"][0]["text"], "1\n2\n")
        data = cell["outputs"][1]["data"]
        self.assertEqual(data["text/plain"], "a\nb")
        self.assertEqual(data["image/svg+xml"], "<svg>\n</svg>")
        self.assertEqual(data["application/json"], {"k": ["x\n", "y"]})  # JSON mime types are left alone
        self.assertNotIn("trusted", cell["metadata"])
        self.assertNotIn("orig_nbformat", nb["metadata"])

    def test_writes_is_nbformats_layout(self):
        nb = nbjson.reads(json.dumps(SPLIT))
        text = nbjson.writes(nb)
        self.assertEqual(json.loads(text)["cells"][0]["source"], ["print(1)\n", "2"])
        self.assertEqual(json.loads(text)["cells"][0]["outputs"][1]["data"]["image/png"], "iVBOR\n")  # not text: whole
        self.assertTrue(text.startswith('{\n "cells": [\n  {\n   "cell_type": "code",'))
        self.assertEqual(nb["cells"][0]["source"], "print(1)\n2")  # the notebook in memory is untouched
        self.assertEqual(nbjson.reads(text), nb)

    def test_not_a_notebook(self):
        with self.assertRaises(ValueError):
            nbjson.reads('{"cells": 3, "nbformat": 4}')
        with self.assertRaises(ValueError):
            nbjson.reads("[]")

    def test_output_from_msg(self):
        out = nbjson.output_from_msg({"msg_type": "error", "content": {"ename": "E", "evalue": "v", "traceback": ["t"]}})
        self.assertEqual(out, {"output_type": "error", "ename": "E", "evalue": "v", "traceback": ["t"]})
        with self.assertRaises(ValueError):
            nbjson.output_from_msg({"msg_type": "status", "content": {}})


if __name__ == "__main__":
    unittest.main()

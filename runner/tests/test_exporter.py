"""The exporter's protocol (answer lines, raw HTML after them, the socket carrier), nbconvert stood in for."""

import io
import json
import os
import socket
import sys
import tempfile
import threading
import types
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

# nbformat and nbconvert are in the image, not on the machine that runs these tests: the renderer is stood in for
# (what it renders is the html-export e2e test's concern; here, how the answer travels).
_nbformat = types.ModuleType("nbformat")
_nbformat.reads = lambda text, as_version: json.loads(text)
sys.modules.setdefault("nbformat", _nbformat)
_html_export = types.ModuleType("nbrunner.html_export")
_html_export.render = lambda nb: (f"<p>{nb['cells'][0]['source']}</p>", None)
_html_export.warm = lambda: None
sys.modules["nbrunner.html_export"] = _html_export

from nbrunner import exporter  # noqa: E402

NB = json.dumps({"cells": [{"cell_type": "code", "source": "é"}], "nbformat": 4, "nbformat_minor": 5})


def request(rid, raw):
    req = {"id": rid, "notebook": NB}
    if raw:
        req["raw"] = True
    return (json.dumps(req) + "\n").encode()


def read_answer(reader):
    head = json.loads(reader.readline())
    if "htmlBytes" in head:
        head["html"] = reader.read(head.pop("htmlBytes")).decode("utf-8")
    return head


class ExporterProtocolTest(unittest.TestCase):
    def test_json_answer_unless_raw_is_asked_for(self):
        out = io.BytesIO()
        exporter.serve(io.BytesIO(request("1", False) + b"\n" + request("2", True) + b"not json\n"), out.write)
        lines = out.getvalue().split(b"\n")
        self.assertEqual(json.loads(lines[0]), {"id": "1", "html": "<p>é</p>"})
        self.assertEqual(json.loads(lines[1]), {"id": "2", "htmlBytes": len("<p>é</p>".encode())})
        reader = io.BytesIO(out.getvalue())
        self.assertEqual([read_answer(reader) for _ in range(2)], [{"id": "1", "html": "<p>é</p>"}, {"id": "2", "html": "<p>é</p>"}])
        self.assertIn("not valid JSON", read_answer(reader)["error"])

    def test_a_lone_surrogate_becomes_the_replacement_character(self):
        data = exporter.encode({"id": "1", "html": "a\ud800b", "raw": True})
        self.assertEqual(data, b'{"id": "1", "htmlBytes": 5}\na\xef\xbf\xbdb')

    def test_requests_on_the_socket_are_answered_on_it(self):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "exporter.sock")
            srv = exporter.listen(path)
            self.assertIsNotNone(srv)
            self.assertEqual(os.stat(path).st_mode & 0o777, 0o666)
            threading.Thread(target=exporter.accept_forever, args=(srv,), daemon=True).start()
            with socket.socket(socket.AF_UNIX) as c:
                c.connect(path)
                c.sendall(request("a", True) + request("b", True))
                reader = c.makefile("rb")
                self.assertEqual([read_answer(reader)["id"], read_answer(reader)["id"]], ["a", "b"])
            srv.close()

    def test_no_socket_where_it_cannot_be_made(self):
        self.assertIsNone(exporter.listen("/nonexistent-folder/exporter.sock"))


if __name__ == "__main__":
    unittest.main()

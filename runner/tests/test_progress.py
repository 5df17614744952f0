import json
import unittest

from nbrunner.progress import MAX_LINES, Progress


class Notebook:
    def __init__(self, cells):
        self.cells = cells


def lines_of(emitted):
    return [json.loads(e[len("NBRUNNER PROGRESS "):]) for e in emitted]


class ProgressTest(unittest.TestCase):
    def setUp(self):
        self.t = 0.0
        self.out = []
        nb = Notebook([{"cell_type": "markdown"}, {"cell_type": "code"}, {"cell_type": "code"}])
        self.p = Progress(nb, self.out.append, clock=lambda: self.t)

    def test_start_output_end(self):
        self.p.start(1)
        self.t = 1.0
        self.p.stream("hello\nwor")
        self.p.stream("ld\n")  # within the interval: not sent yet
        self.p.end(1, True)
        msgs = lines_of(self.out)
        self.assertEqual([m["phase"] for m in msgs], ["start", "output", "end"])
        self.assertEqual(msgs[0], {"cell": 1, "total": 3, "codeCell": 1, "codeCells": 2, "phase": "start", "lines": []})
        self.assertEqual(msgs[1]["lines"], ["hello", "wor"])
        self.assertEqual(msgs[2]["lines"], ["hello", "world"])
        self.assertEqual(msgs[2]["status"], "ok")

    def test_keeps_the_last_lines_only(self):
        self.p.start(2)
        self.t = 5.0
        self.p.stream("".join(f"line {i}\n" for i in range(50)))
        self.p.end(2, False)
        last = lines_of(self.out)[-1]
        self.assertEqual(len(last["lines"]), MAX_LINES)
        self.assertEqual(last["lines"][-1], "line 49")
        self.assertEqual(last["status"], "error")

    def test_output_outside_a_cell_is_ignored(self):
        self.p.stream("stray\n")
        self.assertEqual(self.out, [])


if __name__ == "__main__":
    unittest.main()

"""nbclient's recording rules as the in-process engine applies them (nbrunner/recorder.py)."""
import unittest

from nbrunner import limits
from nbrunner.recorder import Recorder


def notebook(n=2):
    return {"cells": [{"cell_type": "code", "source": "x", "metadata": {}, "outputs": [], "execution_count": None}
                      for _ in range(n)]}


def msg(kind, cell=0, date="2026-12-01T00:00:00.000000Z", **content):
    return {"cell": cell, "msg_type": kind, "content": content, "date": date}


def display(data, display_id=None, kind="display_data"):
    return msg(kind, data=data, metadata={}, transient={"display_id": display_id} if display_id else {})


class RecorderTest(unittest.TestCase):
    def run_cell(self, rec, index, *msgs):
        rec.start_cell(index)
        for m in msgs:
            rec.process(index, m)

    def test_timing_keys_and_execution_count(self):
        nb = notebook()
        rec = Recorder(nb)
        self.run_cell(rec, 0, msg("busy", date="A"), msg("execute_input", date="B", code="x", execution_count=4),
                      msg("execute_result", data={"text/plain": "1"}, metadata={}, execution_count=4),
                      msg("execute_reply", date="C", status="ok", execution_count=4), msg("idle", date="D"))
        cell = nb["cells"][0]
        self.assertEqual(cell["execution_count"], 4)
        self.assertEqual(cell["metadata"]["execution"], {"iopub.status.busy": "A", "iopub.execute_input": "B",
                                                         "shell.execute_reply": "C", "iopub.status.idle": "D"})
        self.assertEqual(cell["outputs"], [{"output_type": "execute_result", "metadata": {},
                                            "data": {"text/plain": "1"}, "execution_count": 4}])

    def test_streams_are_kept_as_sent(self):
        nb = notebook()
        rec = Recorder(nb)
        self.run_cell(rec, 0, msg("stream", name="stdout", text="a\n"), msg("stream", name="stderr", text="b\n"))
        self.assertEqual([o["name"] for o in nb["cells"][0]["outputs"]], ["stdout", "stderr"])

    def test_display_updates_reach_earlier_cells(self):
        nb = notebook()
        rec = Recorder(nb)
        self.run_cell(rec, 0, display({"text/plain": "old"}, "d1"), display({"text/plain": "other"}))
        self.run_cell(rec, 1, display({"text/plain": "new"}, "d1", kind="update_display_data"))
        self.assertEqual(nb["cells"][0]["outputs"][0]["data"], {"text/plain": "new"})
        self.assertEqual(nb["cells"][0]["outputs"][1]["data"], {"text/plain": "other"})
        self.assertEqual(nb["cells"][1]["outputs"], [])  # an update adds nothing
        # a new display with the same id updates the old one and is shown too
        self.run_cell(rec, 1, display({"text/plain": "newer"}, "d1"))
        self.assertEqual(nb["cells"][0]["outputs"][0]["data"], {"text/plain": "newer"})
        self.assertEqual(len(nb["cells"][1]["outputs"]), 1)

    def test_clear_output_now_and_wait(self):
        nb = notebook()
        rec = Recorder(nb)
        self.run_cell(rec, 0, msg("stream", name="stdout", text="1"), msg("clear_output", wait=False))
        self.assertEqual(nb["cells"][0]["outputs"], [])
        self.run_cell(rec, 0, msg("stream", name="stdout", text="1"), msg("clear_output", wait=True))
        self.assertEqual(len(nb["cells"][0]["outputs"]), 1)  # cleared only when the next output comes
        rec.process(0, msg("stream", name="stdout", text="2"))
        self.assertEqual([o["text"] for o in nb["cells"][0]["outputs"]], ["2"])

    def test_cleared_display_is_no_longer_updated(self):
        nb = notebook()
        rec = Recorder(nb)
        self.run_cell(rec, 0, display({"text/plain": "a"}, "d1"), msg("clear_output", wait=False),
                      msg("stream", name="stdout", text="x"))
        rec.process(0, display({"text/plain": "b"}, "d1", kind="update_display_data"))
        self.assertEqual(nb["cells"][0]["outputs"], [{"output_type": "stream", "name": "stdout", "text": "x"}])

    def test_output_limit_wraps_it_as_it_wraps_nbclient(self):
        nb = notebook()
        rec = Recorder(nb)
        limits.OutputLimit(10).install(rec, new_output=lambda kind, **kw: dict(output_type=kind, **kw))
        self.run_cell(rec, 0, msg("stream", name="stdout", text="12345"), msg("stream", name="stdout", text="123456"),
                      msg("stream", name="stdout", text="1"))
        outs = nb["cells"][0]["outputs"]
        self.assertEqual(len(outs), 2)
        self.assertIn("output truncated", outs[1]["text"])


if __name__ == "__main__":
    unittest.main()

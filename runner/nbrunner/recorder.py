"""Recording a cell's messages into the notebook as nbclient does (the in-process engine's parent side).

The executing process sends kernel-protocol-shaped messages (``msg_type``, ``content``, ``date``); this
applies them to the notebook with nbclient 0.7's rules: ``execution_count`` from ``execute_input`` and
``execute_result``, ``clear_output`` (``wait`` delays the clear to the next output), display ids (an
``update_display_data`` or a later output with the same ``display_id`` rewrites every output that
carries it, in any cell), and the ``record_timing`` keys in ``metadata.execution``. ``output`` has
nbclient's signature, so limits.OutputLimit and progress.Progress wrap it as they wrap nbclient's.
Standard library only.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional

from .nbjson import output_from_msg

TIMING_KEYS = {"busy": "iopub.status.busy", "execute_input": "iopub.execute_input",
               "execute_reply": "shell.execute_reply", "idle": "iopub.status.idle"}


class Recorder:
    def __init__(self, nb: Dict[str, Any]) -> None:
        self.nb = nb
        self.clear_before_next_output = False
        self._display_id_map: Dict[str, Dict[int, List[int]]] = {}

    def start_cell(self, index: int) -> None:
        """What nbclient does before sending a cell: timing cleared, outputs emptied."""
        cell = self.nb["cells"][index]
        cell["metadata"]["execution"] = {}
        cell["outputs"] = []
        self.clear_before_next_output = False

    def process(self, index: int, msg: Dict[str, Any]) -> None:
        cell = self.nb["cells"][index]
        kind, content = msg["msg_type"], msg["content"]
        if kind in ("busy", "idle", "execute_reply"):
            cell["metadata"]["execution"][TIMING_KEYS[kind]] = msg["date"]
            return
        display_id = (content.get("transient") or {}).get("display_id")
        if display_id and kind in ("execute_result", "display_data", "update_display_data"):
            self._update_display_id(display_id, msg)
        if "execution_count" in content:
            cell["execution_count"] = content["execution_count"]
        if kind == "execute_input":
            cell["metadata"]["execution"][TIMING_KEYS[kind]] = msg["date"]
        elif kind == "clear_output":
            self.clear_output(cell["outputs"], msg, index)
        elif kind != "update_display_data":
            self.output(cell["outputs"], msg, display_id, index)

    def output(self, outs: List[Any], msg: Dict[str, Any], display_id: Optional[str], cell_index: int):
        try:
            out = output_from_msg(msg)
        except ValueError:
            return None
        if self.clear_before_next_output:
            outs[:] = []
            self._clear_display_id_mapping(cell_index)
            self.clear_before_next_output = False
        if display_id:
            self._display_id_map.setdefault(display_id, {}).setdefault(cell_index, []).append(len(outs))
        outs.append(out)
        return out

    def clear_output(self, outs: List[Any], msg: Dict[str, Any], cell_index: int) -> None:
        if msg["content"].get("wait"):
            self.clear_before_next_output = True
        else:
            outs[:] = []
            self._clear_display_id_mapping(cell_index)

    def _clear_display_id_mapping(self, cell_index: int) -> None:
        for cell_map in self._display_id_map.values():
            if cell_index in cell_map:
                cell_map[cell_index] = []

    def _update_display_id(self, display_id: str, msg: Dict[str, Any]) -> None:
        if display_id not in self._display_id_map:
            return
        out = output_from_msg({"msg_type": "display_data", "content": msg["content"]})
        for cell_idx, indices in self._display_id_map[display_id].items():
            outputs = self.nb["cells"][cell_idx]["outputs"]
            for i in indices:
                outputs[i]["data"] = out["data"]
                outputs[i]["metadata"] = out["metadata"]

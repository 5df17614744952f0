"""The HTML snapshot: nbconvert's HTMLExporter (lab template), warmed once, with a plain fallback.

Used in the container (execute.py, spec ``"snapshot": "runner"``) and by the long-lived exporter beside
the worker (exporter.py, ``"snapshot": "none"``), so both render the same snapshot. Importing this module
imports nbconvert (~135 ms of CPU with bs4, lxml, jinja2) and ``warm()`` costs ~160 ms more: a runner that
is told not to render (NBRUNNER_SNAPSHOT=none) never imports it.
"""

from __future__ import annotations

import html as _html
import re
from typing import Optional, Tuple

import nbformat
from nbconvert import HTMLExporter

_ANSI_RE = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]")


class FastHTMLExporter(HTMLExporter):
    """HTMLExporter (lab template) without per-preprocessor re-validation.

    nbconvert validates the notebook after every preprocessor with
    ``relax_add_props=True``, which makes nbformat recompile the JSON schema
    each time (~30 ms x 11 per export). The notebook was validated when it was
    read, so skip that: ~10 ms per export instead of ~300 ms.
    """

    def _validate_preprocessor(self, nbc, preprocessor):
        return None


_exporter: Optional[FastHTMLExporter] = None


def _get() -> FastHTMLExporter:
    global _exporter
    if _exporter is None:
        _exporter = FastHTMLExporter(template_name="lab")
    return _exporter


def warm() -> None:
    """Create the exporter and render a dummy notebook once, so that templates, filters, pygments and the
    nbformat schema are loaded before the first real export."""
    v4 = nbformat.v4
    nb = v4.new_notebook(
        cells=[
            v4.new_markdown_cell("# warm-up\n*text* `code`\n\n$x^2$"),
            v4.new_code_cell(
                "print(1)",
                execution_count=1,
                outputs=[
                    v4.new_output("stream", name="stdout", text="1\n"),
                    v4.new_output("execute_result", execution_count=1,
                                  data={"text/plain": "1", "text/html": "<b>1</b>"}),
                    v4.new_output("error", ename="ValueError", evalue="x",
                                  traceback=["\x1b[0;31mValueError\x1b[0m: x"]),
                ],
            ),
        ]
    )
    nbformat.reads(nbformat.writes(nb), as_version=4)
    _get().from_notebook_node(nb, resources={"metadata": {"name": "warm-up"}})


def render(nb) -> Tuple[str, Optional[str]]:
    """The snapshot of a notebook node: (html, None), or (plain html, why) when nbconvert failed."""
    try:
        html, _ = _get().from_notebook_node(nb, resources={"metadata": {"name": "notebook"}})
        return html, None
    except Exception as e:
        return fallback_html(nb), f"HTML export failed, wrote a plain snapshot: {e}"


def fallback_html(nb) -> str:
    parts = ["<!DOCTYPE html><html><head><meta charset='utf-8'><title>notebook</title>"
             "</head><body>"]
    for i, cell in enumerate(nb.get("cells", [])):
        parts.append(f"<div class='cell'><pre>[{i}] {_html.escape(str(cell.get('source', '')))}</pre>")
        for out in cell.get("outputs", []) or []:
            kind = out.get("output_type")
            if kind == "stream":
                text = str(out.get("text", ""))
            elif kind == "error":
                text = "\n".join(_ANSI_RE.sub("", t) for t in out.get("traceback", []))
            else:
                text = str((out.get("data") or {}).get("text/plain", ""))
            parts.append(f"<pre>{_html.escape(text)}</pre>")
        parts.append("</div>")
    parts.append("</body></html>")
    return "".join(parts)

"""Spec validation, Python-literal rendering and papermill-style cell injection.

Standard library only: everything here works on plain ``dict``/``list`` values
(``nbformat.NotebookNode`` is a ``dict`` subclass, so it works too), which lets
the unit tests run on a host without nbformat installed.
"""

from __future__ import annotations

import json
import keyword
import math
import re
from typing import Any, Dict, List, Optional

PARAMETERS_TAG = "parameters"
INJECTED_PARAMETERS_TAG = "injected-parameters"
INJECTED_WEBHOOK_TAG = "injected-webhook-payload"

DEFAULT_TIMEOUT_SECONDS = 600.0

_ENV_NAME_RE = re.compile(r"^[^=\x00]+$")
_CELL_ID_RE = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")


class SpecError(ValueError):
    """The spec (or a value inside it) cannot be used. Maps to status "error"."""


# --------------------------------------------------------------------------- literals


def python_literal(value: Any, _path: str = "value") -> str:
    """Render ``value`` as Python source that evaluates back to an equal value.

    Supported: str, int, float (nan/inf included), bool, None, list, dict
    (nested). Dict keys may be str, int, float, bool or None. Anything else
    raises :class:`SpecError`.
    """
    if value is None:
        return "None"
    if value is True:
        return "True"
    if value is False:
        return "False"
    if isinstance(value, str):
        return repr(str(value))
    if isinstance(value, int):  # bool handled above
        return repr(int(value))
    if isinstance(value, float):
        if math.isnan(value):
            return "float('nan')"
        if math.isinf(value):
            return "float('inf')" if value > 0 else "-float('inf')"
        return repr(float(value))
    if isinstance(value, list):
        return "[" + ", ".join(
            python_literal(v, f"{_path}[{i}]") for i, v in enumerate(value)
        ) + "]"
    if isinstance(value, dict):
        items = []
        for k, v in value.items():
            if not (k is None or isinstance(k, (str, int, float))):
                raise SpecError(
                    f"{_path}: unsupported dict key type {type(k).__name__}"
                )
            items.append(
                f"{python_literal(k, _path)}: {python_literal(v, f'{_path}[{k!r}]')}"
            )
        return "{" + ", ".join(items) + "}"
    raise SpecError(f"{_path}: unsupported value type {type(value).__name__}")


def check_identifier(name: Any) -> str:
    """Return ``name`` if it is a valid, non-keyword Python identifier."""
    if not isinstance(name, str) or not name:
        raise SpecError(f"parameter name {name!r} is not a non-empty string")
    if not name.isidentifier():
        raise SpecError(f"parameter name {name!r} is not a valid Python identifier")
    if keyword.iskeyword(name):
        raise SpecError(f"parameter name {name!r} is a Python keyword")
    return name


# --------------------------------------------------------------------------- sources


def parameters_source(parameters: Dict[str, Any]) -> str:
    """Source of the injected parameters cell (no trailing newline)."""
    lines = ["# Parameters"]
    for name, value in parameters.items():
        check_identifier(name)
        lines.append(f"{name} = {python_literal(value, name)}")
    return "\n".join(lines)


def webhook_source(payload: Any) -> str:
    """Source of the injected webhook-payload cell (no trailing newline)."""
    try:
        text = json.dumps(payload, ensure_ascii=False)
    except (TypeError, ValueError) as e:
        raise SpecError(f"webhookPayload is not JSON-serialisable: {e}") from None
    return (
        "# Webhook payload\n"
        "import json\n"
        f"webhook_payload = json.loads({python_literal(text)})"
    )


def env_code(env: Dict[str, str]) -> str:
    """Code run silently in the kernel (not as a cell) before the first cell."""
    return f"import os as _o; _o.environ.update({python_literal(env)}); del _o"


# --------------------------------------------------------------------------- spec


def parse_spec(obj: Any) -> Dict[str, Any]:
    """Validate a decoded spec.json and return a normalised copy.

    Returns ``{"parameters": dict|None, "webhookPayload": any|None,
    "timeoutSeconds": float, "env": dict|None, "relay": bool, "outputFiles": dict|None}``. Unknown keys are ignored;
    missing keys count as null (timeoutSeconds then defaults to 600).
    """
    if not isinstance(obj, dict):
        raise SpecError("spec.json must contain a JSON object")

    params = obj.get("parameters")
    if params is not None:
        if not isinstance(params, dict):
            raise SpecError("spec.parameters must be an object or null")
        for name, value in params.items():
            check_identifier(name)
            python_literal(value, name)  # raises on unsupported values

    timeout = obj.get("timeoutSeconds")
    if timeout is None:
        timeout = DEFAULT_TIMEOUT_SECONDS
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)):
        raise SpecError("spec.timeoutSeconds must be a number")
    timeout = float(timeout)
    if not math.isfinite(timeout) or timeout <= 0:
        raise SpecError("spec.timeoutSeconds must be a finite number > 0")

    env = obj.get("env")
    if env is not None:
        if not isinstance(env, dict):
            raise SpecError("spec.env must be an object of strings or null")
        for k, v in env.items():
            if not isinstance(k, str) or not _ENV_NAME_RE.match(k):
                raise SpecError(f"spec.env: invalid variable name {k!r}")
            if not isinstance(v, str) or "\x00" in v:
                raise SpecError(f"spec.env[{k!r}] must be a string without NUL")

    payload = obj.get("webhookPayload")
    if payload is not None:
        webhook_source(payload)  # raises if not serialisable

    files = obj.get("outputFiles")
    if files is not None:
        if not isinstance(files, dict) or not all(
                isinstance(files.get(k), int) and not isinstance(files.get(k), bool) and files[k] >= 0
                for k in ("maxBytes", "maxCount")):
            raise SpecError("spec.outputFiles must be {\"maxBytes\": int >= 0, \"maxCount\": int >= 0} or null")

    return {
        "parameters": params,
        "webhookPayload": payload,
        "timeoutSeconds": timeout,
        "env": env,
        # Start the portal relay (relay.py) and point NBA_PORTAL_URL at it.
        "relay": obj.get("relay") is True,
        # Keep what the notebook wrote under the working folder, within these limits (outfiles.py).
        "outputFiles": files,
    }


# --------------------------------------------------------------------------- injection


def cell_tags(cell: Dict[str, Any]) -> List[str]:
    md = cell.get("metadata")
    tags = md.get("tags") if isinstance(md, dict) else None
    return [t for t in tags if isinstance(t, str)] if isinstance(tags, list) else []


def _needs_cell_ids(nb: Dict[str, Any]) -> bool:
    major = nb.get("nbformat", 4)
    minor = nb.get("nbformat_minor", 0)
    return isinstance(major, int) and isinstance(minor, int) and (major, minor) >= (4, 5)


def _unique_id(base: str, used: set) -> str:
    cid, n = base, 1
    while cid in used:
        n += 1
        cid = f"{base}-{n}"
    used.add(cid)
    return cid


def _new_code_cell(source: str, tag: str, nb: Dict[str, Any]) -> Dict[str, Any]:
    cell: Dict[str, Any] = {
        "cell_type": "code",
        "execution_count": None,
        "metadata": {"tags": [tag]},
        "outputs": [],
        "source": source,
    }
    if _needs_cell_ids(nb):
        used = {
            c.get("id") for c in nb.get("cells", []) if isinstance(c, dict) and c.get("id")
        }
        cell["id"] = _unique_id(tag, used)
    return cell


def inject(
    nb: Dict[str, Any],
    parameters: Optional[Dict[str, Any]] = None,
    webhook_payload: Any = None,
) -> Dict[str, Any]:
    """Insert the parameters / webhook cells into ``nb`` (in place) and return it.

    * parameters (non-empty dict): earlier cells tagged ``injected-parameters``
      are removed, then a code cell tagged ``injected-parameters`` is inserted
      right after the first cell tagged ``parameters``, or at index 0 if no
      cell has that tag.
    * webhook_payload (not None): earlier cells tagged
      ``injected-webhook-payload`` are removed, then a code cell tagged
      ``injected-webhook-payload`` is inserted at index 0.

    So the final order is: webhook cell, then the notebook, with the
    parameters cell after the ``parameters`` cell (or, with no such cell,
    directly after the webhook cell / first).
    """
    cells = nb.get("cells")
    if not isinstance(cells, list):
        raise SpecError("notebook has no 'cells' list")

    if parameters is not None and not isinstance(parameters, dict):
        raise SpecError("parameters must be an object or null")

    if parameters:
        source = parameters_source(parameters)
        cells[:] = [c for c in cells if INJECTED_PARAMETERS_TAG not in cell_tags(c)]
        index = 0
        for i, c in enumerate(cells):
            if PARAMETERS_TAG in cell_tags(c):
                index = i + 1
                break
        cells.insert(index, _new_code_cell(source, INJECTED_PARAMETERS_TAG, nb))

    if webhook_payload is not None:
        source = webhook_source(webhook_payload)
        cells[:] = [c for c in cells if INJECTED_WEBHOOK_TAG not in cell_tags(c)]
        cells.insert(0, _new_code_cell(source, INJECTED_WEBHOOK_TAG, nb))

    return nb

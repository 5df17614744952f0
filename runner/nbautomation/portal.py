"""The portal of this run, ready to call: ``from nbautomation import portal``.

    me = portal.get("/sharing/rest/community/self")
    print(me["username"])
    portal.post("/sharing/rest/content/users/" + me["username"] + "/addItem", type="CSV", title="t", text="a,b")

Requests go to ``portal.url`` (the run's relay on the container's own loopback; the worker forwards
them to this server's sharing and admin API) with ``portal.token``, a short-lived token of the user
the run acts for (``NBA_TOKEN``; revoked when the run ends). Only the standard library is used, so
the module works in every runtime; plain ``requests`` code can use ``NBA_PORTAL_URL``/``NBA_TOKEN``.
"""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.parse
import urllib.request
from typing import Any, Dict, Optional

__all__ = ["get", "post", "request", "url", "base_url", "token", "PortalError"]

#: The portal's sharing API root, e.g. http://127.0.0.1:8765/sharing/rest (NBA_PORTAL_URL).
url: str = os.environ.get("NBA_PORTAL_URL", "")
#: The server root the relay answers for (``url`` without /sharing/rest).
base_url: str = url[: -len("/sharing/rest")] if url.endswith("/sharing/rest") else url
#: The run's token (NBA_TOKEN), or None when the run has no user to act for.
token: Optional[str] = os.environ.get("NBA_TOKEN") or None


class PortalError(Exception):
    """The portal answered with an error (its ``{"error": {...}}`` JSON, or an HTTP error)."""

    def __init__(self, status: int, code: Any, message: str, body: Any = None) -> None:
        super().__init__(f"portal error {code}: {message}")
        self.status, self.code, self.message, self.body = status, code, message, body


def _full(path: str) -> str:
    if path.startswith("http://") or path.startswith("https://"):
        return path
    if not base_url:
        raise PortalError(0, None, "NBA_PORTAL_URL is not set: this run has no portal")
    return base_url + (path if path.startswith("/") else "/" + path)


def request(method: str, path: str, params: Optional[Dict[str, Any]] = None,
            data: Optional[Dict[str, Any]] = None, timeout: float = 60.0) -> Any:
    """One call; returns the parsed JSON (or the text when the answer is not JSON)."""
    query = dict(params or {})
    query.setdefault("f", "json")
    target = _full(path)
    body = None
    headers = {"Accept": "application/json"}
    if token:
        headers["Authorization"] = "Bearer " + token
    if method.upper() == "POST":
        form = {k: v if isinstance(v, str) else json.dumps(v) for k, v in (data or {}).items()}
        form.setdefault("f", query.pop("f"))
        body = urllib.parse.urlencode(form).encode("utf-8")
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    if query:
        target += ("&" if "?" in target else "?") + urllib.parse.urlencode(
            {k: v if isinstance(v, str) else json.dumps(v) for k, v in query.items()})
    req = urllib.request.Request(target, data=body, method=method.upper(), headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            status, text = r.status, r.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as e:
        status, text = e.code, e.read().decode("utf-8", "replace")
    try:
        parsed = json.loads(text)
    except ValueError:
        if status >= 400:
            raise PortalError(status, status, text[:200]) from None
        return text
    if isinstance(parsed, dict) and isinstance(parsed.get("error"), dict):
        err = parsed["error"]
        raise PortalError(status, err.get("code"), str(err.get("message", "")), parsed)
    if status >= 400:
        raise PortalError(status, status, text[:200], parsed)
    return parsed


def get(path: str, **params: Any) -> Any:
    """GET ``path`` (e.g. "/sharing/rest/community/self") with ``params`` as the query."""
    return request("GET", path, params=params)


def post(path: str, data: Optional[Dict[str, Any]] = None, **fields: Any) -> Any:
    """POST a form: ``data`` and/or keyword fields (non-strings are sent as JSON)."""
    return request("POST", path, data={**(data or {}), **fields})

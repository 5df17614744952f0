"""Waiting for a freshly started kernel without jupyter_client's 200 ms IOPub drain.

``KernelClient.wait_for_ready`` waits for the kernel_info reply, then drains IOPub until 0.2 s pass
with nothing: every cold run waited ~200 ms idle. Here: send kernel_info, wait for its reply on shell,
then for the IOPub ``status: idle`` of that same request. Once it came, IOPub is connected (a SUB socket
drops what is published before it subscribed: then the request is sent again) and the kernel has
nothing else in flight, so no later message can be lost or mistaken.
"""

from __future__ import annotations

import time
from queue import Empty
from typing import Any, Dict


async def wait_for_ready(kc, km, timeout: float) -> Dict[str, Any]:
    """Returns the kernel_info reply; raises RuntimeError when the kernel died or did not answer in time."""
    deadline = time.monotonic() + timeout
    while True:
        msg_id = kc.kernel_info()
        reply = None
        idle = False
        # One attempt: the reply and our idle, within a second (the kernel may still be importing).
        attempt_end = min(deadline, time.monotonic() + 1.0)
        while time.monotonic() < attempt_end and not (reply and idle):
            left = max(0.001, attempt_end - time.monotonic())
            if reply is None:
                try:
                    m = await kc.shell_channel.get_msg(timeout=left)
                except Empty:
                    break
                if m.get("parent_header", {}).get("msg_id") == msg_id and m["msg_type"] == "kernel_info_reply":
                    reply = m
                continue
            try:
                m = await kc.iopub_channel.get_msg(timeout=min(left, 0.25))
            except Empty:
                break  # no idle for our request: IOPub was not connected yet; ask again
            if (m.get("parent_header", {}).get("msg_id") == msg_id and m["msg_type"] == "status"
                    and m["content"].get("execution_state") == "idle"):
                idle = True
        if reply is not None and idle:
            kc._handle_kernel_info_reply(reply)
            return reply
        if not await km.is_alive():
            raise RuntimeError("Kernel died before replying to kernel_info")
        if time.monotonic() >= deadline:
            raise RuntimeError(f"Kernel didn't respond in {timeout:g} seconds")

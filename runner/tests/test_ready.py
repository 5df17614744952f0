import asyncio
import unittest
from queue import Empty

from nbrunner import ready


class Channel:
    """An async channel fed by the fake kernel; get_msg raises Empty when nothing is queued."""

    def __init__(self):
        self.queue = []

    async def get_msg(self, timeout=None):
        if self.queue:
            return self.queue.pop(0)
        await asyncio.sleep(0)
        raise Empty()


class Kernel:
    """Answers kernel_info on shell; IOPub publishes only once `subscribed_after` requests were sent (late joiner)."""

    def __init__(self, subscribed_after=1):
        self.shell_channel = Channel()
        self.iopub_channel = Channel()
        self.sent = 0
        self.subscribed_after = subscribed_after
        self.handled = None

    def kernel_info(self):
        self.sent += 1
        msg_id = f"k{self.sent}"
        if self.sent >= self.subscribed_after:
            self.iopub_channel.queue += [
                {"msg_type": "status", "parent_header": {"msg_id": msg_id}, "content": {"execution_state": "busy"}},
                {"msg_type": "status", "parent_header": {"msg_id": msg_id}, "content": {"execution_state": "idle"}},
            ]
        self.shell_channel.queue.append({"msg_type": "kernel_info_reply", "parent_header": {"msg_id": msg_id},
                                         "content": {"language_info": {"name": "python"}}})
        return msg_id

    def _handle_kernel_info_reply(self, msg):
        self.handled = msg


class Manager:
    def __init__(self, alive=True):
        self.alive = alive

    async def is_alive(self):
        return self.alive


class WaitForReadyTest(unittest.TestCase):
    def test_returns_on_the_idle_of_its_own_request(self):
        kc = Kernel()
        reply = asyncio.run(ready.wait_for_ready(kc, Manager(), timeout=5))
        self.assertEqual(reply["parent_header"]["msg_id"], "k1")
        self.assertIs(kc.handled, reply)
        self.assertEqual(kc.iopub_channel.queue, [])  # nothing left behind for the first cell

    def test_asks_again_until_iopub_is_connected(self):
        kc = Kernel(subscribed_after=3)
        reply = asyncio.run(ready.wait_for_ready(kc, Manager(), timeout=10))
        self.assertEqual(reply["parent_header"]["msg_id"], "k3")

    def test_a_dead_kernel_is_reported(self):
        kc = Kernel(subscribed_after=99)
        with self.assertRaisesRegex(RuntimeError, "died"):
            asyncio.run(ready.wait_for_ready(kc, Manager(alive=False), timeout=5))


if __name__ == "__main__":
    unittest.main()

"""The relay's HTTP side against a fake worker (standard library only)."""

import asyncio
import base64
import json
import os
import sys
import unittest
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from nbrunner.relay import Relay  # noqa: E402


class RelayTest(unittest.TestCase):
    def test_request_goes_out_as_a_line_and_the_reply_comes_back(self):
        async def main():
            lines = []
            relay = Relay(lines.append)

            def emit(line):
                lines.append(line)
                msg = json.loads(line[len("NBRUNNER RELAY "):])
                body = json.dumps({"path": msg["path"], "method": msg["method"],
                                   "got": base64.b64decode(msg["body"]).decode()}).encode()
                loop.call_soon(relay.on_reply, {"id": msg["id"], "status": 201,
                                                "headers": {"Content-Type": "application/json"},
                                                "body": base64.b64encode(body).decode()})

            loop = asyncio.get_running_loop()
            relay._emit = emit
            await relay.start()

            def call():
                req = urllib.request.Request(relay.url + "/sharing/rest/community/self?f=json",
                                             data=b"a=1", method="POST")
                with urllib.request.urlopen(req, timeout=10) as r:
                    return r.status, json.loads(r.read())

            status, body = await loop.run_in_executor(None, call)
            relay.close()
            return lines, status, body

        lines, status, body = asyncio.run(main())
        self.assertEqual(status, 201)
        self.assertEqual(body, {"path": "/sharing/rest/community/self?f=json", "method": "POST", "got": "a=1"})
        self.assertTrue(lines[0].startswith("NBRUNNER RELAY {"))


if __name__ == "__main__":
    unittest.main()

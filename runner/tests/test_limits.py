import unittest

from nbrunner import limits


class FakeClient:
    def output(self, outs, msg, display_id, cell_index):
        outs.append({"output_type": "stream", "text": msg["content"]["text"]})
        return outs[-1]


def stream(text):
    return {"msg_type": "stream", "content": {"name": "stdout", "text": text}, "parent_header": {}}


def new_output(kind, **kw):
    return dict(output_type=kind, **kw)


class OutputLimitTest(unittest.TestCase):
    def test_keeps_output_up_to_the_limit_then_one_note(self):
        client = FakeClient()
        lim = limits.OutputLimit(10)
        lim.install(client, new_output)
        outs = []
        for _ in range(5):
            client.output(outs, stream("abcd"), None, 0)
        self.assertEqual([o["text"] for o in outs[:2]], ["abcd", "abcd"])
        self.assertEqual(len(outs), 3)
        self.assertIn("output truncated", outs[2]["text"])
        self.assertIn("maxRunOutputBytes", outs[2]["text"])
        self.assertTrue(lim.truncated)

    def test_limit_from_spec(self):
        self.assertEqual(limits.limit_from_spec({"outputLimitBytes": 2048}), 2048)
        self.assertEqual(limits.limit_from_spec({}), limits.DEFAULT_LIMIT)
        self.assertEqual(limits.limit_from_spec({"outputLimitBytes": True}), limits.DEFAULT_LIMIT)
        self.assertEqual(limits.limit_from_spec({"outputLimitBytes": -1}), limits.DEFAULT_LIMIT)


if __name__ == "__main__":
    unittest.main()

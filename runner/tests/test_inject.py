"""Unit tests for nbrunner.inject (standard library only).

Run from the repository root:  python3 -m unittest discover -s runner/tests
"""

import ast
import json
import math
import os
import sys
import unittest

sys.path.insert(0, os.path.abspath(os.path.join(os.path.dirname(__file__), "..")))

from nbrunner import inject as inj  # noqa: E402
from nbrunner.inject import SpecError  # noqa: E402


def code(source, tags=None, cid=None):
    cell = {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [],
            "source": source}
    if tags is not None:
        cell["metadata"]["tags"] = tags
    if cid is not None:
        cell["id"] = cid
    return cell


def md(source):
    return {"cell_type": "markdown", "metadata": {}, "source": source}


def notebook(cells, minor=4):
    return {"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": minor}


def run_source(source):
    """exec() a generated cell source and return its namespace."""
    ns = {}
    exec(compile(source, "<injected>", "exec"), ns)
    return ns


class PythonLiteralTest(unittest.TestCase):
    def roundtrip(self, value):
        src = inj.python_literal(value)
        return eval(src, {})  # noqa: S307 - that's the point of the test

    def test_scalars(self):
        for v in [0, 1, -7, 10 ** 40, 1.5, -0.25, 1e100, 2.5e-300, True, False, None, "", "abc"]:
            with self.subTest(v=v):
                out = self.roundtrip(v)
                self.assertEqual(out, v)
                self.assertIs(type(out), type(v))

    def test_bool_is_not_int(self):
        self.assertEqual(inj.python_literal(True), "True")
        self.assertEqual(inj.python_literal(False), "False")
        self.assertEqual(inj.python_literal(None), "None")

    def test_float_keeps_float_type(self):
        self.assertEqual(inj.python_literal(3.0), "3.0")
        self.assertIs(type(self.roundtrip(3.0)), float)

    def test_nan_inf(self):
        self.assertEqual(inj.python_literal(float("nan")), "float('nan')")
        self.assertEqual(inj.python_literal(float("inf")), "float('inf')")
        self.assertEqual(inj.python_literal(float("-inf")), "-float('inf')")
        self.assertTrue(math.isnan(self.roundtrip(float("nan"))))
        self.assertEqual(self.roundtrip([float("inf"), float("-inf")]), [math.inf, -math.inf])

    def test_string_escaping(self):
        tricky = [
            "a'b", 'a"b', "a'b\"c", "back\\slash", "new\nline", "tab\tcr\r",
            "nul\x00byte", "unicode é ✓ 🎉", "\u2028sep", "'''", '"""', "\\'",
            "{braces} %s", "\ud800",  # lone surrogate (valid in a Python str)
        ]
        for s in tricky:
            with self.subTest(s=s):
                src = inj.python_literal(s)
                self.assertEqual(self.roundtrip(s), s)
                self.assertNotIn("\n", src)  # always a single-line literal
                ast.parse(src, mode="eval")

    def test_nested(self):
        v = {"a": [1, 2.5, {"b": None, "c": [True, "x'y"]}], "d": {}, "e": [], "f": {"g": {"h": 1}}}
        self.assertEqual(self.roundtrip(v), v)

    def test_dict_non_string_keys(self):
        v = {1: "one", 2.5: "x", None: 0, True: "t"}
        self.assertEqual(self.roundtrip(v), v)

    def test_unsupported(self):
        for v in [(1, 2), {1, 2}, b"bytes", object(), 1j, [1, (2,)], {"a": {3}}]:
            with self.subTest(v=v):
                with self.assertRaises(SpecError):
                    inj.python_literal(v)
        with self.assertRaises(SpecError):
            inj.python_literal({(1, 2): "tuple key"})


class IdentifierTest(unittest.TestCase):
    def test_valid(self):
        for n in ["x", "_x", "x1", "name_2", "café", "match", "case", "_", "__dunder__"]:
            with self.subTest(n=n):
                self.assertEqual(inj.check_identifier(n), n)

    def test_invalid(self):
        for n in ["", "1x", "a-b", "a b", "x.y", "class", "None", "True", "lambda", "import",
                  "x\n", 5, None]:
            with self.subTest(n=n):
                with self.assertRaises(SpecError):
                    inj.check_identifier(n)


class SourcesTest(unittest.TestCase):
    def test_parameters_source(self):
        src = inj.parameters_source({"x": 5, "name": "a'b"})
        self.assertEqual(src, "# Parameters\nx = 5\nname = \"a'b\"")
        ns = run_source(src)
        self.assertEqual((ns["x"], ns["name"]), (5, "a'b"))

    def test_parameters_source_all_types(self):
        params = {"s": "q\"'\n", "i": -3, "f": 0.1, "nan": float("nan"), "inf": float("inf"),
                  "b": False, "n": None, "l": [1, [2, "3"]], "d": {"k": {"z": [None]}}}
        ns = run_source(inj.parameters_source(params))
        for k, v in params.items():
            if k == "nan":
                self.assertTrue(math.isnan(ns[k]))
            else:
                self.assertEqual(ns[k], v)
                self.assertIs(type(ns[k]), type(v))

    def test_parameters_source_rejects_bad_name(self):
        with self.assertRaises(SpecError):
            inj.parameters_source({"for": 1})
        with self.assertRaises(SpecError):
            inj.parameters_source({"x; import os": 1})

    def test_webhook_source(self):
        payload = {"event": "push", "text": "it's \"quoted\"\n\u00e9", "n": [1, 2.5, None, True],
                   "nested": {"a": {}}}
        src = inj.webhook_source(payload)
        self.assertTrue(src.startswith("# Webhook payload\nimport json\nwebhook_payload = json.loads("))
        self.assertEqual(len(src.splitlines()), 3)
        self.assertEqual(run_source(src)["webhook_payload"], payload)

    def test_webhook_source_scalars(self):
        for p in ["just a string", 0, False, [], {}]:
            with self.subTest(p=p):
                self.assertEqual(run_source(inj.webhook_source(p))["webhook_payload"], p)

    def test_env_code(self):
        src = inj.env_code({"TOKEN": "s3'cr\"et", "EMPTY": ""})
        self.assertTrue(src.startswith("import os as _o; _o.environ.update("))
        self.assertTrue(src.endswith("; del _o"))
        saved = dict(os.environ)
        try:
            ns = run_source(src)
            self.assertEqual(os.environ["TOKEN"], "s3'cr\"et")
            self.assertEqual(os.environ["EMPTY"], "")
            self.assertNotIn("_o", ns)
        finally:
            os.environ.clear()
            os.environ.update(saved)


class InjectTest(unittest.TestCase):
    def tags(self, nb):
        return [c["metadata"].get("tags", []) for c in nb["cells"]]

    def test_parameters_after_tagged_cell(self):
        nb = notebook([md("# t"), code("a = 1"), code("x = 0", ["parameters"]), code("print(x)")])
        inj.inject(nb, {"x": 5}, None)
        self.assertEqual(len(nb["cells"]), 5)
        self.assertEqual(nb["cells"][3]["metadata"]["tags"], ["injected-parameters"])
        self.assertEqual(nb["cells"][3]["source"], "# Parameters\nx = 5")
        self.assertEqual(nb["cells"][3]["cell_type"], "code")
        self.assertEqual(nb["cells"][3]["outputs"], [])
        self.assertIsNone(nb["cells"][3]["execution_count"])
        self.assertEqual(nb["cells"][4]["source"], "print(x)")

    def test_parameters_first_tagged_cell_only(self):
        nb = notebook([code("x = 0", ["parameters"]), code("y"), code("z = 0", ["foo", "parameters"])])
        inj.inject(nb, {"x": 1}, None)
        self.assertEqual(self.tags(nb)[1], ["injected-parameters"])
        self.assertEqual(len(nb["cells"]), 4)

    def test_parameters_at_top_without_tag(self):
        nb = notebook([code("print(x)")])
        inj.inject(nb, {"x": 5}, None)
        self.assertEqual(self.tags(nb), [["injected-parameters"], []])

    def test_parameters_tag_on_markdown_cell(self):
        nb = notebook([md("params below"), code("x = 1")])
        nb["cells"][0]["metadata"]["tags"] = ["parameters"]
        inj.inject(nb, {"x": 2}, None)
        self.assertEqual(self.tags(nb)[1], ["injected-parameters"])

    def test_empty_or_null_parameters_inject_nothing(self):
        for p in (None, {}):
            nb = notebook([code("x = 0", ["parameters"])])
            inj.inject(nb, p, None)
            self.assertEqual(len(nb["cells"]), 1)

    def test_webhook_first(self):
        nb = notebook([code("x = 0", ["parameters"]), code("print(x)")])
        inj.inject(nb, {"x": 5}, {"a": 1})
        self.assertEqual(self.tags(nb), [["injected-webhook-payload"], ["parameters"],
                                         ["injected-parameters"], []])

    def test_webhook_then_parameters_without_tag(self):
        nb = notebook([code("print(x)")])
        inj.inject(nb, {"x": 5}, {"a": 1})
        self.assertEqual(self.tags(nb), [["injected-webhook-payload"], ["injected-parameters"], []])

    def test_webhook_only(self):
        nb = notebook([code("print(1)")])
        inj.inject(nb, None, [1, 2])
        self.assertEqual(self.tags(nb), [["injected-webhook-payload"], []])
        ns = run_source(nb["cells"][0]["source"])
        self.assertEqual(ns["webhook_payload"], [1, 2])

    def test_null_webhook_injects_nothing(self):
        nb = notebook([code("print(1)")])
        inj.inject(nb, None, None)
        self.assertEqual(len(nb["cells"]), 1)

    def test_falsy_webhook_payload_is_injected(self):
        for p in (False, 0, "", [], {}):
            nb = notebook([code("print(1)")])
            inj.inject(nb, None, p)
            self.assertEqual(len(nb["cells"]), 2, p)

    def test_replaces_previous_injected_cells(self):
        nb = notebook([code("old", ["injected-webhook-payload"]), code("x = 0", ["parameters"]),
                       code("old params", ["injected-parameters"]), code("print(x)")])
        inj.inject(nb, {"x": 1}, {"b": 2})
        self.assertEqual(self.tags(nb), [["injected-webhook-payload"], ["parameters"],
                                         ["injected-parameters"], []])
        self.assertEqual(nb["cells"][2]["source"], "# Parameters\nx = 1")

    def test_cell_ids_for_nbformat_4_5(self):
        nb = notebook([code("x = 0", ["parameters"], cid="injected-parameters")], minor=5)
        inj.inject(nb, {"x": 1}, {"p": 1})
        ids = [c.get("id") for c in nb["cells"]]
        self.assertEqual(ids, ["injected-webhook-payload", "injected-parameters",
                               "injected-parameters-2"])
        self.assertEqual(len(set(ids)), len(ids))

    def test_no_cell_ids_for_nbformat_4_4(self):
        nb = notebook([code("x")], minor=4)
        inj.inject(nb, {"x": 1}, {"p": 1})
        self.assertTrue(all("id" not in c for c in nb["cells"]))

    def test_whole_notebook_executes(self):
        nb = notebook([code("x = 0\nname = ''", ["parameters"]),
                       code("result = (x, name, webhook_payload['k'])")])
        inj.inject(nb, {"x": 5, "name": "a'b"}, {"k": [1, None]})
        ns = {}
        for c in nb["cells"]:
            exec(compile(c["source"], "<cell>", "exec"), ns)
        self.assertEqual(ns["result"], (5, "a'b", [1, None]))

    def test_bad_input(self):
        with self.assertRaises(SpecError):
            inj.inject({"cells": None}, {"x": 1}, None)
        with self.assertRaises(SpecError):
            inj.inject(notebook([]), {"1bad": 1}, None)
        with self.assertRaises(SpecError):
            inj.inject(notebook([]), ["x"], None)

    def test_bad_parameters_leave_notebook_unchanged(self):
        nb = notebook([code("x")])
        with self.assertRaises(SpecError):
            inj.inject(nb, {"ok": 1, "not ok": 2}, None)
        self.assertEqual(len(nb["cells"]), 1)


class ParseSpecTest(unittest.TestCase):
    def test_full(self):
        spec = inj.parse_spec({"parameters": {"x": 1}, "webhookPayload": {"a": 1},
                               "timeoutSeconds": 30, "env": {"TOKEN": "t"}, "extra": 1})
        self.assertEqual(spec, {"parameters": {"x": 1}, "webhookPayload": {"a": 1},
                                "timeoutSeconds": 30.0, "env": {"TOKEN": "t"}, "relay": False,
                                "outputFiles": None})
        self.assertTrue(inj.parse_spec({"relay": True})["relay"])

    def test_nulls_and_defaults(self):
        spec = inj.parse_spec({"parameters": None, "webhookPayload": None,
                               "timeoutSeconds": 2.5, "env": None})
        self.assertEqual(spec["timeoutSeconds"], 2.5)
        self.assertEqual(inj.parse_spec({})["timeoutSeconds"], inj.DEFAULT_TIMEOUT_SECONDS)

    def test_from_json_text(self):
        text = '{"parameters": {"x": NaN, "y": Infinity}, "timeoutSeconds": 1}'
        spec = inj.parse_spec(json.loads(text))
        ns = run_source(inj.parameters_source(spec["parameters"]))
        self.assertTrue(math.isnan(ns["x"]))
        self.assertEqual(ns["y"], math.inf)

    def test_errors(self):
        bad = [
            [], "x", None,
            {"parameters": [1]},
            {"parameters": {"class": 1}},
            {"parameters": {"a-b": 1}},
            {"timeoutSeconds": 0},
            {"timeoutSeconds": -1},
            {"timeoutSeconds": "10"},
            {"timeoutSeconds": True},
            {"timeoutSeconds": float("inf")},
            {"timeoutSeconds": float("nan")},
            {"env": ["A"]},
            {"env": {"A": 1}},
            {"env": {"A=B": "x"}},
            {"env": {"": "x"}},
            {"env": {"A": "nul\x00"}},
        ]
        for b in bad:
            with self.subTest(spec=b):
                with self.assertRaises(SpecError):
                    inj.parse_spec(b)


if __name__ == "__main__":
    unittest.main()

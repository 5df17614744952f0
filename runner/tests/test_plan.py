"""The in-process engine's cell rules and outcomes (nbrunner/plan.py) and ipykernel's cell file names."""
import unittest

from nbrunner import plan
from nbrunner.inject import SpecError
from nbrunner.shell_child import _murmur2


def code(source, tags=None):
    return {"cell_type": "code", "source": source, "metadata": {"tags": tags} if tags else {}}


class PlanTest(unittest.TestCase):
    def test_snapshot_mode(self):
        self.assertEqual(plan.snapshot_mode({}), "runner")
        self.assertEqual(plan.snapshot_mode({"snapshot": None}), "runner")
        self.assertEqual(plan.snapshot_mode({"snapshot": "none"}), "none")
        with self.assertRaises(SpecError):
            plan.snapshot_mode({"snapshot": "html"})

    def test_which_cells_run(self):
        self.assertTrue(plan.executes(code("x")))
        self.assertFalse(plan.executes(code("  \n")))
        self.assertFalse(plan.executes(code("x", ["skip-execution"])))
        self.assertFalse(plan.executes({"cell_type": "markdown", "source": "x", "metadata": {}}))
        self.assertTrue(plan.allows_error(code("x", ["raises-exception"])))

    def test_outcomes(self):
        self.assertEqual(plan.timeout_outcome(2, 3, started=True)[2], "notebook exceeded timeoutSeconds=2 (while executing cell 3)")
        self.assertEqual(plan.timeout_outcome(2.5, 1, started=False)[1]["cellIndex"], 1)
        status, error, message = plan.dead_outcome(4)
        self.assertEqual((status, error["ename"], error["evalue"], message),
                         ("failed", "DeadKernelError", "Kernel died", "the kernel died while executing cell 4"))
        self.assertEqual(plan.strip_ansi("\x1b[0;31mValueError\x1b[0m: x"), "ValueError: x")

    def test_cell_file_names_are_ipykernels(self):
        # ipykernel.compiler.murmur2_x86(code, 0xC70F6907), as seen in a kernel's warnings
        self.assertEqual(_murmur2('import warnings; warnings.warn("careful")'), 3619829533)


if __name__ == "__main__":
    unittest.main()

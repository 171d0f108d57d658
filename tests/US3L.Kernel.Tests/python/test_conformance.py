"""Jupyter's kernel conformance suite (jupyter_kernel_test) run against the C# kernel.

The kernelspec named by US3L_KERNEL_NAME must be on JUPYTER_PATH (the xunit test arranges both).
"""
import os
import unittest

import jupyter_kernel_test


class CSharpKernelConformance(jupyter_kernel_test.KernelTests):
    kernel_name = os.environ.get("US3L_KERNEL_NAME", "us3l-csharp")
    language_name = "csharp"
    file_extension = ".cs"

    code_hello_world = 'Console.WriteLine("hello, world");'
    code_stderr = 'Console.Error.WriteLine("oops");'

    completion_samples = [
        {"text": "Console.Wri", "matches": {"Write", "WriteLine"}},
        {"text": "Math.Sq", "matches": {"Sqrt"}},
        {"text": 'var greeting = "hi"; greeting.ToUpp', "matches": {"ToUpper", "ToUpperInvariant"}},
        {"text": "System.Collections.Gen", "matches": {"Generic"}},
        {"text": "var numbers = new List<int>(); numbers.Add", "matches": {"Add", "AddRange"}},
        {"text": "DateTime.Now.Ye", "matches": {"Year"}},
        # The display helpers are globals of every cell; magics complete at the start of a line.
        {"text": "Markd", "matches": {"Markdown", "MarkdownString"}},
        {"text": "#!ma", "matches": {"#!markdown"}},
        {"text": "var x = 1;\n#!j", "matches": {"#!javascript", "#!js"}},
    ]

    complete_code_samples = ["1 + 2", "var x = 1;", "Console.WriteLine(\"a\");", "#!csharp\nvar y = 2;"]
    incomplete_code_samples = ["for (int i = 0; i < 3; i++) {", "var s = Math.Max(1,", "/* comment"]
    invalid_code_samples = ["var = ;", "int 1x = 3;"]

    code_generate_error = 'throw new InvalidOperationException("boom");'

    code_execute_result = [
        {"code": "1 + 2", "result": "3"},
        {"code": '"a" + "b"', "result": "ab"},
        {"code": "new[] { 1, 2, 3 }.Sum()", "result": "6"},
        {"code": "new List<int> { 1, 2 }", "mime": "text/html"},
    ]

    code_display_data = [
        {"code": 'display("<b>bold</b>", "text/html");', "mime": "text/html"},
        {"code": "display(42);", "mime": "text/plain"},
        {"code": "new { A = 1, B = \"x\" }.Display();", "mime": "text/html"},
    ]

    code_history_pattern = "1 + ?"
    supported_history_operations = ("tail", "range", "search")

    code_inspect_sample = "Console.WriteLine"

    code_clear_output = "ClearOutput();"

    # More samples than the suite's one of each, checked the way the suite checks its own.
    clear_output_samples = [
        ("ClearOutput();", False),
        ('Console.WriteLine("before"); ClearOutput(wait: true); Console.WriteLine("after");', True),
        ("#!csharp\nClearOutput();", False),
    ]

    def test_clear_output_samples(self):
        for code, wait in self.clear_output_samples:
            with self.subTest(code=code):
                self.flush_channels()
                reply, output_msgs = self.execute_helper(code=code)
                self.assertEqual(reply["content"]["status"], "ok")
                cleared = [m for m in output_msgs if m["msg_type"] == "clear_output"]
                self.assertEqual(len(cleared), 1, "clear_output message not found")
                self.assertEqual(cleared[0]["content"]["wait"], wait)

    def test_history_samples(self):
        cells = ["var hist = 21;", "hist * 2", "#!time\nhist + 1", "hist * 2"]
        reply = self.history_helper(cells, output=True, raw=True, hist_access_type="tail", n=4)
        history = reply["content"]["history"]
        self.assertEqual([h[2][0] for h in history], cells)
        self.assertEqual(history[1][2][1], "42")
        self.assertIsNone(history[0][2][1], "a cell without a value has no output")
        session, first = history[0][0], history[0][1]
        self.assertEqual([h[1] for h in history], list(range(first, first + 4)))

        reply = self.history_helper([], output=False, raw=True, hist_access_type="range", session=session, start=first + 1, stop=first + 3)
        self.assertEqual([h[2] for h in reply["content"]["history"]], cells[1:3])

        reply = self.history_helper([], output=False, raw=True, hist_access_type="search", pattern="hist ?*", unique=True)
        # "hist * 2" ran twice; a unique search returns it once.
        self.assertEqual([h[2] for h in reply["content"]["history"]], ["hist * 2"])
        reply = self.history_helper([], output=False, raw=True, hist_access_type="search", pattern="#!time*", n=1)
        self.assertEqual([h[2] for h in reply["content"]["history"]], ["#!time\nhist + 1"])


if __name__ == "__main__":
    unittest.main()

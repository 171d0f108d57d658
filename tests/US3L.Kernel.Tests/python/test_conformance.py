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


if __name__ == "__main__":
    unittest.main()

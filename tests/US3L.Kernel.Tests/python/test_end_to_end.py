"""End-to-end behaviour of the C# kernel through jupyter_client and nbclient."""
import json
import os
import tempfile
import threading
import unittest

import nbformat
from nbclient import NotebookClient

import kernel_session as ks


class KernelEndToEnd(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.km, cls.kc = ks.start()

    @classmethod
    def tearDownClass(cls):
        cls.kc.stop_channels()
        cls.km.shutdown_kernel(now=False)

    def run_ok(self, code):
        reply, outputs = ks.execute(self.kc, code)
        self.assertEqual(reply["status"], "ok", reply)
        return outputs

    def result_text(self, code):
        results = ks.of_type(self.run_ok(code), "execute_result")
        self.assertEqual(len(results), 1)
        return results[0]["content"]["data"]["text/plain"]

    def test_state_is_kept_across_cells(self):
        self.run_ok("var answer = 40;")
        self.run_ok("int Twice(int v) => 2 * v; record Point(int X, int Y);")
        self.assertEqual(self.result_text("answer + 2"), "42")
        self.assertEqual(self.result_text("Twice(answer)"), "80")
        self.assertIn("3", self.result_text("new Point(3, 4).X"))

    def test_execute_result_counts_and_void_cells(self):
        reply, outputs = ks.execute(self.kc, "Console.WriteLine(1)")
        self.assertEqual(ks.of_type(outputs, "execute_result"), [])
        reply2, outputs2 = ks.execute(self.kc, "7 * 6")
        self.assertEqual(reply2["execution_count"], reply["execution_count"] + 1)
        self.assertEqual(outputs2[-1]["content"]["execution_count"], reply2["execution_count"])

    def test_records_and_collections_render_as_html_tables(self):
        outputs = self.run_ok("record Pet(string Name, int Age); new[] { new Pet(\"Rex\", 3), new Pet(\"Tom\", 5) }")
        data = ks.of_type(outputs, "execute_result")[0]["content"]["data"]
        self.assertIn("<table", data["text/html"])
        self.assertIn("Rex", data["text/html"])
        self.assertIn("text/plain", data)

    def test_stdout_streams_while_the_cell_runs(self):
        # The cell waits for a file that the test creates only after it has seen the first line,
        # so this passes only if output leaves the kernel before the cell ends.
        release = os.path.join(tempfile.mkdtemp(), "release")
        seen = threading.Event()

        def on_output(msg):
            if msg["msg_type"] == "stream" and "ready" in msg["content"]["text"] and not seen.is_set():
                seen.set()
                open(release, "w").close()

        code = f'Console.WriteLine("ready"); while (!File.Exists(@"{release}")) Thread.Sleep(10); Console.Error.WriteLine("done");'
        reply, outputs = ks.execute(self.kc, code, on_output=on_output)
        self.assertEqual(reply["status"], "ok")
        self.assertTrue(seen.is_set())
        self.assertIn("done", "".join(m["content"]["text"] for m in outputs if m["msg_type"] == "stream" and m["content"]["name"] == "stderr"))

    def test_display_and_update_in_place(self):
        outputs = self.run_ok('var handle = display("first"); handle.Update("second");')
        shown = ks.of_type(outputs, "display_data")
        updated = ks.of_type(outputs, "update_display_data")
        self.assertEqual(len(shown), 1)
        self.assertEqual(len(updated), 1)
        display_id = shown[0]["content"]["transient"]["display_id"]
        self.assertEqual(updated[0]["content"]["transient"]["display_id"], display_id)
        self.assertEqual(updated[0]["content"]["data"]["text/plain"], "second")
        # A later cell can still update the earlier output.
        later = self.run_ok('handle.Update(3);')
        self.assertEqual(ks.of_type(later, "update_display_data")[0]["content"]["transient"]["display_id"], display_id)

    def test_compile_error_has_line_and_column(self):
        reply, outputs = ks.execute(self.kc, 'var ok = 1;\nint bad = "text";')
        self.assertEqual(reply["status"], "error")
        self.assertEqual(reply["ename"], "CompilationError")
        self.assertIn("(2,11)", reply["evalue"])
        self.assertIn("CS0029", reply["evalue"])
        self.assertEqual(ks.of_type(outputs, "error")[0]["content"]["ename"], "CompilationError")

    def test_runtime_error_has_type_message_and_traceback(self):
        reply, outputs = ks.execute(self.kc, 'void Fail() => throw new ArgumentException("bad width");\nFail();')
        self.assertEqual(reply["status"], "error")
        self.assertEqual(reply["ename"], "ArgumentException")
        self.assertEqual(reply["evalue"], "bad width")
        self.assertTrue(any("Fail" in line for line in reply["traceback"]))

    def test_interrupt_stops_a_loop_that_checks_the_token(self):
        started = threading.Event()

        def on_output(msg):
            if msg["msg_type"] == "stream" and "looping" in msg["content"]["text"] and not started.is_set():
                started.set()
                self.km.interrupt_kernel()

        code = 'Console.WriteLine("looping"); while (true) { KernelContext.ThrowIfInterrupted(); Thread.Sleep(5); }'
        reply, _ = ks.execute(self.kc, code, on_output=on_output)
        self.assertEqual(reply["status"], "error")
        self.assertEqual(reply["ename"], "KeyboardInterrupt")
        # The kernel keeps serving, with a fresh token.
        self.assertEqual(self.result_text("KernelContext.CancellationToken.IsCancellationRequested"), "False")

    def test_reference_directives_and_polyglot_magics(self):
        sample = os.environ["US3L_SAMPLE_DLL"]
        self.assertEqual(self.result_text(f'#!csharp\n#r "{sample}"\nUS3L.Kernel.Tests.SampleLibrary.Answer()'), "42")
        self.assertIn("System.Net.Http", self.result_text('#r "System.Net.Http"\ntypeof(System.Net.Http.HttpClient).Assembly.GetName().Name'))

    def test_console_readline_uses_stdin_channel(self):
        msg_id = self.kc.execute('var line = Console.ReadLine(); line.ToUpper()', allow_stdin=True)
        request = self.kc.get_stdin_msg(timeout=ks.TIMEOUT)
        self.assertEqual(request["msg_type"], "input_request")
        self.kc.input("typed")
        reply = self.kc.get_shell_msg(timeout=ks.TIMEOUT)
        self.assertEqual(reply["parent_header"]["msg_id"], msg_id)
        self.assertEqual(reply["content"]["status"], "ok")
        ks.drain_iopub(self.kc)
        self.assertEqual(self.result_text("line"), "typed")


class KernelRestart(unittest.TestCase):
    def test_restart_clears_state_and_keeps_serving(self):
        km, kc = ks.start()
        try:
            ks.execute(kc, "var before = 1;")
            km.restart_kernel(now=False)
            kc.wait_for_ready(timeout=ks.TIMEOUT)
            reply, _ = ks.execute(kc, "before")
            self.assertEqual(reply["status"], "error")
            reply, outputs = ks.execute(kc, "1 + 1")
            self.assertEqual(reply["status"], "ok")
            self.assertEqual(ks.of_type(outputs, "execute_result")[0]["content"]["data"]["text/plain"], "2")
        finally:
            kc.stop_channels()
            km.shutdown_kernel(now=False)


class SignalModeInterrupt(unittest.TestCase):
    """A kernelspec with interrupt_mode "signal" makes jupyter_client send SIGINT instead."""

    def test_sigint_interrupts_the_cell_not_the_kernel(self):
        kernels = os.path.join(os.environ["JUPYTER_PATH"].split(os.pathsep)[0], "kernels")
        with open(os.path.join(kernels, ks.KERNEL_NAME, "kernel.json")) as f:
            spec = json.load(f)
        spec["interrupt_mode"] = "signal"
        os.makedirs(os.path.join(kernels, "us3l-csharp-signal"), exist_ok=True)
        with open(os.path.join(kernels, "us3l-csharp-signal", "kernel.json"), "w") as f:
            json.dump(spec, f)
        km, kc = ks.start("us3l-csharp-signal")
        try:
            def on_output(msg):
                if msg["msg_type"] == "stream" and "looping" in msg["content"]["text"]:
                    km.interrupt_kernel()

            code = 'Console.WriteLine("looping"); while (!KernelContext.CancellationToken.IsCancellationRequested) Thread.Sleep(5); KernelContext.ThrowIfInterrupted();'
            reply, _ = ks.execute(kc, code, on_output=on_output)
            self.assertEqual(reply["ename"], "KeyboardInterrupt")
            reply, _ = ks.execute(kc, "1")
            self.assertEqual(reply["status"], "ok")
        finally:
            kc.stop_channels()
            km.shutdown_kernel(now=False)


class NotebookExecution(unittest.TestCase):
    """Whole notebooks through nbclient, as `jupyter nbconvert --execute` runs them."""

    def notebook(self, kernel_name):
        nb = nbformat.v4.new_notebook()
        nb.metadata["kernelspec"] = {"name": kernel_name, "display_name": "C#", "language": "C#"}
        # Polyglot notebooks mark each cell's language like this.
        polyglot = {"dotnet_interactive": {"language": "csharp"}, "polyglot_notebook": {"kernelName": "csharp"}}
        nb.cells = [
            nbformat.v4.new_code_cell("#!csharp\nvar xs = Enumerable.Range(1, 4).ToList();", metadata=polyglot),
            nbformat.v4.new_code_cell('Console.WriteLine($"n={xs.Count}");\nxs.Sum()', metadata=polyglot),
            nbformat.v4.new_code_cell('var h = display("working"); h.Update("finished");', metadata=polyglot),
        ]
        return nb

    def run_notebook(self, kernel_name):
        nb = self.notebook(kernel_name)
        NotebookClient(nb, timeout=ks.TIMEOUT, kernel_name=kernel_name).execute()
        return nb

    def test_notebook_runs_with_outputs(self):
        nb = self.run_notebook(ks.KERNEL_NAME)
        outputs = nb.cells[1].outputs
        self.assertEqual(outputs[0]["text"], "n=4\n")
        self.assertEqual(outputs[1]["data"]["text/plain"], "10")
        # nbclient applies the in-place update to the stored display output.
        self.assertEqual(nb.cells[2].outputs[0]["data"]["text/plain"], "finished")

    def test_polyglot_kernel_name_runs_too(self):
        if not os.environ.get("US3L_POLYGLOT_KERNEL"):
            self.skipTest("the .net-csharp kernelspec is not installed here")
        nb = self.run_notebook(".net-csharp")
        self.assertEqual(nb.cells[1].outputs[1]["data"]["text/plain"], "10")


if __name__ == "__main__":
    unittest.main()

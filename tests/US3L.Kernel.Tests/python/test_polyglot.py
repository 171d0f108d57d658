"""What a .NET Interactive (Polyglot) user expects of a C# kernel, through jupyter_client:
magic commands, display helpers, and packages with #r "nuget: ..." (restored from the feed the
SDK is configured with)."""
import re
import socket
import unittest

import kernel_session as ks


class KernelCase(unittest.TestCase):
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

    def run_error(self, code):
        reply, outputs = ks.execute(self.kc, code)
        self.assertEqual(reply["status"], "error", reply)
        self.assertEqual(ks.of_type(outputs, "error")[0]["content"]["evalue"], reply["evalue"])
        return reply

    def shown(self, outputs):
        """The data of each display_data and execute_result, in order."""
        return [m["content"]["data"] for m in outputs if m["msg_type"] in ("display_data", "execute_result")]


class MagicCommands(KernelCase):
    def test_html_markdown_and_javascript_cells_are_shown_as_their_mime_type(self):
        self.assertEqual(self.shown(self.run_ok("#!html\n<b>bold</b>\n<i>two lines</i>")), [{"text/html": "<b>bold</b>\n<i>two lines</i>"}])
        markdown = self.shown(self.run_ok("#!markdown\n# Title\n*emphasis*"))
        self.assertEqual(markdown[0]["text/markdown"], "# Title\n*emphasis*")
        script = self.shown(self.run_ok("#!javascript\nconsole.log('hi');"))[0]
        self.assertEqual(script["application/javascript"], "console.log('hi');")
        self.assertIn("<script type=\"text/javascript\">\nconsole.log('hi');\n</script>", script["text/html"])
        # The aliases .NET Interactive accepts.
        self.assertEqual(self.shown(self.run_ok("#!md\n**b**"))[0]["text/markdown"], "**b**")
        self.assertIn("application/javascript", self.shown(self.run_ok("#!js\nlet a = 1;"))[0])

    def test_a_cell_switches_language_at_each_magic(self):
        outputs = self.run_ok("#!csharp\nvar polyglot = 6;\npolyglot * 7\n#!html\n<p>between</p>\n#!c#\npolyglot + 1")
        shown = self.shown(outputs)
        self.assertEqual(shown[0]["text/plain"], "42")
        self.assertEqual(shown[1], {"text/html": "<p>between</p>"})
        self.assertEqual(ks.of_type(outputs, "execute_result")[0]["content"]["data"]["text/plain"], "7")

    def test_compile_errors_keep_the_cells_line_numbers(self):
        reply = self.run_error("#!html\n<p>x</p>\n#!csharp\nint bad = \"text\";")
        self.assertIn("(4,11)", reply["evalue"])

    def test_time_reports_the_wall_time_of_the_cell(self):
        outputs = self.run_ok("#!time\nThread.Sleep(50);\n1 + 1")
        times = [d["text/plain"] for d in self.shown(outputs) if d.get("text/plain", "").startswith("Wall time:")]
        self.assertEqual(len(times), 1)
        self.assertGreaterEqual(float(re.match(r"Wall time: ([0-9.]+)ms", times[0]).group(1)), 50)
        self.assertEqual(ks.of_type(outputs, "execute_result")[0]["content"]["data"]["text/plain"], "2")

    def test_about_and_lsmagic(self):
        about = self.shown(self.run_ok("#!about"))[0]
        self.assertIn("C# (US3L) kernel", about["text/plain"])
        self.assertIn(".NET", about["text/html"])
        listing = self.shown(self.run_ok("#!lsmagic"))[0]["text/plain"]
        for magic in ("#!csharp", "#!html", "#!markdown", "#!javascript", "#!time", "#!about", "#!lsmagic"):
            self.assertIn(magic, listing)

    def test_who_and_whos_list_variables(self):
        self.run_ok("var whoFirst = 12; string whoSecond = \"text\";")
        names = self.shown(self.run_ok("#!who"))[0]["text/plain"].split()
        self.assertIn("whoFirst", names)
        self.assertIn("whoSecond", names)
        table = self.shown(self.run_ok("#!whos"))[0]["text/plain"]
        self.assertRegex(table, r"whoFirst\s+Int32\s+12")

    def test_unknown_magics_are_a_clear_error_and_nothing_runs(self):
        reply = self.run_error("var ranBeforeMagic = 1;\n#!nosuchmagic")
        self.assertEqual(reply["ename"], "MagicCommandError")
        self.assertEqual(reply["evalue"], "line 2: unknown magic command #!nosuchmagic (#!lsmagic lists the magics)")
        self.assertIn("CS0103", self.run_error("ranBeforeMagic")["evalue"])
        self.assertIn("does not host", self.run_error("#!fsharp\nlet x = 1")["evalue"])
        self.assertIn("takes no arguments", self.run_error("#!time now\n1")["evalue"])


class DisplayHelpers(KernelCase):
    def test_display_returns_a_handle_that_updates_in_place(self):
        outputs = self.run_ok('var shownValue = display(1); shownValue.Update(2);')
        display_id = ks.of_type(outputs, "display_data")[0]["content"]["transient"]["display_id"]
        updated = ks.of_type(outputs, "update_display_data")[0]["content"]
        self.assertEqual((updated["transient"]["display_id"], updated["data"]["text/plain"]), (display_id, "2"))

    def test_display_table_shows_one_row_per_item_and_one_column_per_property(self):
        outputs = self.run_ok('record Planet(string Name, double Mass); new[] { new Planet("Mars", 0.107), new Planet("Venus", 0.815) }.DisplayTable();')
        data = ks.of_type(outputs, "display_data")[0]["content"]["data"]
        self.assertIn("<th>Name</th><th>Mass</th>", data["text/html"])
        self.assertIn("<tr><td>Mars</td><td>0.107</td></tr>", data["text/html"])
        self.assertIn("<tr><td>Venus</td><td>0.815</td></tr>", data["text/html"])
        self.assertEqual(data["text/plain"].splitlines()[0].split(), ["Name", "|", "Mass"])

    def test_html_returns_content_shown_as_html(self):
        self.assertEqual(self.shown(self.run_ok('HTML("<b>x</b>");')), [], "HTML(...) alone shows nothing, as in .NET Interactive")
        self.assertEqual(self.shown(self.run_ok('HTML("<b>x</b>")'))[0]["text/html"], "<b>x</b>")
        self.assertEqual(self.shown(self.run_ok('display(HTML("<i>y</i>"));'))[0]["text/html"], "<i>y</i>")

    def test_javascript_runs_in_the_frontend_now(self):
        data = self.shown(self.run_ok('Javascript("console.log(42)");'))[0]
        self.assertEqual(data["application/javascript"], "console.log(42)")
        self.assertIn("<script", data["text/html"])

    def test_markdown_latex_and_math_strings(self):
        self.assertEqual(self.shown(self.run_ok('Markdown("*md*")'))[0]["text/markdown"], "*md*")
        latex = self.shown(self.run_ok('(LaTeXString)@"\\begin{align} a &= b \\end{align}"'))[0]
        self.assertEqual(latex["text/latex"], "\\begin{align} a &= b \\end{align}")
        math = self.shown(self.run_ok('(MathString)@"\\frac{1}{2}"'))[0]
        self.assertEqual(math["text/latex"], "$$\\frac{1}{2}$$")

    def test_pocketview_tags_build_html(self):
        data = self.shown(self.run_ok('div[style: "color: red"](span("hi"), b("there"))'))[0]
        self.assertEqual(data["text/html"], '<div style="color: red"><span>hi</span><b>there</b></div>')


def closed_port():
    """A local port nothing listens on: bound, then released."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class NuGetPackages(KernelCase):
    """One kernel, in order (unittest sorts by name): each restore builds on the packages before it."""

    def installed(self, outputs):
        lines = [d["text/plain"] for d in self.shown(outputs) if d.get("text/plain", "").startswith("Installed packages:")]
        self.assertEqual(len(lines), 1, outputs)
        return lines[0]

    def test_1_a_package_at_a_version(self):
        outputs = self.run_ok('#r "nuget: Humanizer.Core, 2.14.1"\nusing Humanizer;\n"PascalCaseInput".Humanize()')
        self.assertEqual(self.installed(outputs), "Installed packages: Humanizer.Core 2.14.1")
        self.assertEqual(ks.of_type(outputs, "execute_result")[0]["content"]["data"]["text/plain"], "Pascal case input")

    def test_2_a_package_with_dependencies_and_native_libraries(self):
        # Microsoft.Data.Sqlite brings SQLitePCLRaw (managed, resolved by bare name at run time)
        # and libe_sqlite3.so (native, runtimes/linux-x64/native).
        outputs = self.run_ok('#r "nuget: Microsoft.Data.Sqlite, 9.0.0"\n'
                              'var sqlite = new Microsoft.Data.Sqlite.SqliteConnection("Data Source=:memory:");\n'
                              'sqlite.Open(); var query = sqlite.CreateCommand(); query.CommandText = "select sqlite_version()";\n'
                              'query.ExecuteScalar()')
        installed = self.installed(outputs)
        self.assertTrue(installed.startswith("Installed packages: Microsoft.Data.Sqlite 9.0.0\nwith dependencies: "), installed)
        self.assertIn("SQLitePCLRaw.lib.e_sqlite3", installed)
        self.assertRegex(ks.of_type(outputs, "execute_result")[0]["content"]["data"]["text/plain"], r"^3\.\d+\.\d+$")

    def test_3_the_newest_stable_version_without_a_version(self):
        outputs = self.run_ok('#r "nuget: NodaTime"\nNodaTime.Duration.FromMinutes(90).TotalHours')
        self.assertRegex(self.installed(outputs), r"^Installed packages: NodaTime \d+\.\d+\.\d+$")
        self.assertEqual(ks.of_type(outputs, "execute_result")[0]["content"]["data"]["text/plain"], "1.5")

    def test_4_asking_again_is_a_no_op_and_another_version_is_refused(self):
        self.assertEqual(self.installed(self.run_ok('#r "nuget: Humanizer.Core, 2.14.1"')), "Installed packages: Humanizer.Core 2.14.1")
        reply = self.run_error('#r "nuget: Humanizer.Core, 2.8.26"')
        self.assertEqual(reply["evalue"], '#r "nuget: Humanizer.Core, 2.8.26": Humanizer.Core 2.14.1 is already loaded in this kernel; '
                                          'restart the kernel to use another version')

    def test_5_a_package_that_does_not_exist(self):
        reply = self.run_error('#r "nuget: Us3l.No.Such.Package.Anywhere, 1.0.0"')
        self.assertEqual(reply["ename"], "PackageRestoreError")
        self.assertTrue(reply["evalue"].startswith('#r "nuget: Us3l.No.Such.Package.Anywhere": no package with this id on the feeds (NU1101'), reply["evalue"])
        self.assertNotIn("\n", reply["evalue"])

    def test_6_a_version_that_does_not_exist(self):
        reply = self.run_error('#r "nuget: Markdig, 99.0.0"')
        self.assertTrue(reply["evalue"].startswith('#r "nuget: Markdig, 99.0.0": no such version of Markdig on the feeds (NU1102'), reply["evalue"])
        self.assertNotIn("\n", reply["evalue"])

    def test_7_an_unreachable_feed(self):
        feed = f"http://127.0.0.1:{closed_port()}/v3/index.json"
        reply = self.run_error(f'#i "nuget: {feed}"\n#r "nuget: Markdig"')
        self.assertTrue(reply["evalue"].startswith(f'#i "nuget: {feed}": the feed cannot be reached, so nothing was installed (NU1301'), reply["evalue"])
        self.assertNotIn("\n", reply["evalue"])
        # Nothing of the failed cell stays: the packages before it still work, and the dead feed is not kept.
        self.assertEqual(ks.of_type(self.run_ok("NodaTime.Duration.FromHours(2).TotalMinutes"), "execute_result")[0]["content"]["data"]["text/plain"], "120")
        self.assertIn("Markdig", self.installed(self.run_ok('#r "nuget: Markdig, 0.31.0"')))

    def test_8_a_malformed_package_line(self):
        reply = self.run_error('#r "nuget: Two Words, 1.0"')
        self.assertEqual(reply["evalue"], 'line 1: expected #r "nuget: Name, Version" or #r "nuget: Name", got #r "nuget: Two Words, 1.0"')


if __name__ == "__main__":
    unittest.main()

#!/usr/bin/env python3
"""Self-test of run_guest.py: it must pass a right run and fail every kind
of wrong one (status, missing or misordered line, a FAIL line, a hang).
Uses a fake hvsim (a small Python script) instead of the real one, so it
runs without any guest. Python 3 standard library only."""
import os
import subprocess
import sys
import tempfile
import textwrap
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
RUNNER = os.path.join(HERE, "run_guest.py")


class RunGuestTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.dir = self.tmp.name

    def tearDown(self):
        self.tmp.cleanup()

    def fake_hvsim(self, output, status, sleep=0.0, err=""):
        """A script that checks its arguments, prints `output` (and `err`
        to stderr), exits."""
        path = os.path.join(self.dir, "hvsim")
        with open(path, "w") as f:
            f.write(textwrap.dedent("""\
                #!%s
                import sys, time
                assert sys.argv[1:4] == ["run", "--kernel", "g.elf"], sys.argv
                assert "--max-cycles" in sys.argv
                if "--append" in sys.argv:
                    print("append=" + sys.argv[sys.argv.index("--append") + 1])
                time.sleep(%r)
                sys.stdout.write(%r)
                sys.stderr.write(%r)
                sys.exit(%d)
                """ % (sys.executable, sleep, output, err, status)))
        os.chmod(path, 0o755)
        return path

    def run_runner(self, output, status, expect, want_status=1, extra=(),
                   sleep=0.0, err=""):
        hvsim = self.fake_hvsim(output, status, sleep, err)
        exp = os.path.join(self.dir, "expect.txt")
        with open(exp, "w") as f:
            f.write(expect)
        cmd = [sys.executable, RUNNER, hvsim, "g.elf", exp,
               str(want_status)] + list(extra)
        return subprocess.run(cmd, capture_output=True, text=True).returncode

    GOOD = "hello\nPASS: one (0x1)\r\nPASS: two\nSUMMARY: 2 passed, 0 failed\n"
    EXPECT = ("# comment\n\nhello\nPASS: one (0x1)\n~two\n"
              "re:^SUMMARY: [0-9]+ passed, 0 failed$\n")

    def test_right_run_passes(self):
        self.assertEqual(self.run_runner(self.GOOD, 1, self.EXPECT), 0)

    def test_wrong_status_fails(self):
        self.assertEqual(self.run_runner(self.GOOD, 3, self.EXPECT), 1)

    def test_missing_line_fails(self):
        out = self.GOOD.replace("PASS: one (0x1)", "PASS: one (0x2)")
        self.assertEqual(self.run_runner(out, 1, self.EXPECT), 1)

    def test_lines_out_of_order_fail(self):
        self.assertEqual(self.run_runner(self.GOOD, 1, "PASS: two\nhello\n"),
                         1)

    def test_fail_line_fails_even_if_all_expected_lines_appear(self):
        out = self.GOOD + "FAIL: three\n"
        self.assertEqual(self.run_runner(out, 1, self.EXPECT), 1)

    def test_regex_must_match(self):
        self.assertEqual(self.run_runner(self.GOOD, 1, "re:^SUMMARY: 3 "), 1)

    def test_empty_expectations_check_status_only(self):
        self.assertEqual(self.run_runner("", 1, "# nothing\n"), 0)
        self.assertEqual(self.run_runner("", 3, "# nothing\n"), 1)

    def test_append_is_passed_through(self):
        self.assertEqual(self.run_runner("", 1, "append=a b\n",
                                         extra=["--append", "a b"]), 0)

    def test_hang_fails_on_timeout(self):
        self.assertEqual(self.run_runner("", 1, "", sleep=5,
                                         extra=["--timeout", "1"]), 1)

    ERR = ("hvsim: #UD: unimplemented at rip=0x1000: c5 f4\n"
           "hvsim: guest wrote 0x0 to debug-exit: status 1\n")

    def test_stderr_expectations_match_stderr_only(self):
        exp = "stderr: ~#UD: unimplemented\nstderr: re:status 1$\nhello\n"
        self.assertEqual(self.run_runner(self.GOOD, 1, exp, err=self.ERR), 0)
        # Not on stdout, so a serial expectation of the same text fails.
        self.assertEqual(self.run_runner(self.GOOD, 1, "~#UD:",
                                         err=self.ERR), 1)
        # And serial text is not searched for a stderr expectation.
        self.assertEqual(self.run_runner(self.GOOD, 1, "stderr: hello\n",
                                         err=self.ERR), 1)

    def test_stderr_expectations_keep_their_order(self):
        exp = "stderr: re:status 1$\nstderr: ~#UD:\n"
        self.assertEqual(self.run_runner(self.GOOD, 1, exp, err=self.ERR), 1)

    def test_once_requires_exactly_one_matching_line(self):
        twice = self.ERR + self.ERR.splitlines()[0] + "\n"
        exp = "stderr: once: ~#UD: unimplemented\n"
        self.assertEqual(self.run_runner(self.GOOD, 1, exp, err=self.ERR), 0)
        self.assertEqual(self.run_runner(self.GOOD, 1, exp, err=twice), 1)
        self.assertEqual(self.run_runner(self.GOOD, 1, "once: ~PASS"), 1)
        self.assertEqual(self.run_runner(self.GOOD, 1, "once: ~PASS: two"),
                         0)
        self.assertEqual(self.run_runner(self.GOOD, 1, "once: ~absent"), 1)

    def test_once_lines_do_not_take_part_in_the_order(self):
        # Both once: lines match the same stderr line, and the ordered
        # "hello" is found although a once: line matched after it.
        exp = ("stderr: once: ~#UD:\nstderr: once: ~unimplemented\n"
               "PASS: two\nonce: hello\n~SUMMARY\n")
        self.assertEqual(self.run_runner(self.GOOD, 1, exp, err=self.ERR), 0)

    def test_fail_on_stderr_is_not_a_guest_failure(self):
        self.assertEqual(self.run_runner(self.GOOD, 1, self.EXPECT,
                                         err="FAIL: not the guest\n"), 0)


if __name__ == "__main__":
    unittest.main()

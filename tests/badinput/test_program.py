"""A bad Pulumi program: it raises, exits, dies, hangs or misbehaves. Exit 2 with one line naming the
failure (and its `file:line` when the program raised), or a report when the program still finished.

A program that writes files into its own directory is out of scope: that is the program's doing, not
the run's (the CLI would let it too), so the "nothing written" check only covers what preflight writes.
"""
from __future__ import annotations

import os
import time

import pytest

from tests.badinput.badinput_helpers import assert_report, run_case
from tests.badinput.harness import MINIMAL_PROGRAM, Program, alive, assert_contract

AWS = "import pulumi, pulumi_aws as aws\n"
REPO = 'aws.ecr.Repository("orders", image_scanning_configuration={"scan_on_push": True}, tags={"team": "a"})\n'

# (id, __main__.py, extra Program kwargs, extra args, phrase in the one stderr line)
EXIT_2 = [
    ("raises", AWS + REPO + "raise RuntimeError('boom')\n", {}, [], "at __main__.py:3: RuntimeError: boom"),
    ("syntax-error", AWS + "\n\nx = (1,\n", {}, [], "at __main__.py:4: SyntaxError"),
    ("indentation-error", AWS + "if True:\nx = 1\n", {}, [], "__main__.py:3: IndentationError"),
    ("null-byte-in-source", AWS + "x = 1\0\n", {}, [], "SyntaxError"),
    ("non-utf8-source", None, {"files": {"__main__.py": b"import pulumi\nx = '\xff'\n"}}, [], "at __main__.py:2: SyntaxError"),
    ("sys-exit-3", AWS + REPO + "import sys; sys.exit(3)\n", {}, [], "the program called sys.exit(3)"),
    ("sys-exit-message", AWS + "import sys; sys.exit('giving up')\n", {}, [], "sys.exit('giving up')"),
    ("os-exit-0", AWS + REPO + "import os; os._exit(0)\n", {}, [], "ended before it finished (exit status 0)"),
    ("os-exit-1", AWS + "import os; os._exit(1)\n", {}, [], "ended before it finished (exit status 1)"),
    ("sigkill-itself", AWS + "import os, signal; os.kill(os.getpid(), signal.SIGKILL)\n", {}, [],
     "killed by signal SIGKILL"),
    ("infinite-loop", AWS + "while True: pass\n", {}, ["--program-timeout", "2"], "did not finish within 2s"),
    ("sleeps-and-ignores-sigterm", AWS + "import signal, time\nsignal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
     "time.sleep(300)\n", {}, ["--program-timeout", "2"], "did not finish within 2s"),
    ("duplicate-urn", AWS + "aws.s3.Bucket('same')\naws.s3.Bucket('same')\n", {}, [], "Duplicate resource URN"),
    ("multi-line-message", AWS + "raise ValueError('first line\\nsecond line\\n\\n  third')\n", {}, [],
     "ValueError: first line | second line | third"),
    ("empty-message", AWS + "raise ValueError()\n", {}, [], "at __main__.py:2: ValueError"),
    ("keyboard-interrupt-raised", AWS + "raise KeyboardInterrupt\n", {}, [], "program error at __main__.py:2: KeyboardInterrupt"),
    ("missing-module", AWS + "import no_such_module_xyz\n", {}, [], "No module named 'no_such_module_xyz'"),
    ("reads-stdin", AWS + "input('name? ')\n", {}, [], "EOFError"),
    ("secret-placeholder-in-int", AWS + "int(pulumi.Config().require('port'))\n",
     {"stack": "config:\n  badinput:port:\n    secure: v1:AAAABBBB\n"}, [], "is a placeholder offline"),
    ("recursion-error", AWS + "def f(): return f()\nf()\n", {}, [], "RecursionError: maximum recursion depth"),
    ("memory-error", AWS + "raise MemoryError('out of memory')\n", {}, [], "MemoryError: out of memory"),
    ("unicode-message", AWS + "raise RuntimeError('ünïcødé ✓ 🚫 кириллица')\n", {}, [],
     "RuntimeError: ünïcødé ✓ 🚫 кириллица"),
    ("raises-in-own-module", AWS + "import helpers\n", {"files": {"helpers.py": "\n\nraise TypeError('bad arg')\n"}},
     [], "at helpers.py:3: TypeError: bad arg"),
    ("raises-in-apply", AWS + "pulumi.Output.from_input(1).apply(lambda v: v / 0)\n", {}, [], "ZeroDivisionError"),
    ("raises-pulumi-runerror", AWS + "raise pulumi.RunError('config is wrong')\n", {}, [], "config is wrong"),
    ("unprintable-exception", AWS + "class E(Exception):\n    def __str__(self): raise ValueError('no')\n"
     "raise E()\n", {}, [], "at __main__.py:4: E: <str() of the exception failed>"),
    ("closes-every-fd", AWS + REPO + "os_ = __import__('os'); os_.closerange(3, 1024)\n", {}, [], "ended before it finished"),
    ("missing-main-file", MINIMAL_PROGRAM, {"project": "name: badinput\nruntime: python\nmain: missing.py\n"}, [],
     "missing.py not found"),
    ("main-dir-without-dunder-main", MINIMAL_PROGRAM,
     {"project": "name: badinput\nruntime: python\nmain: app\n", "files": {"app": None}}, [], "app/__main__.py not found"),
    ("bad-resource-args", AWS + "aws.s3.Bucket(123)\n", {}, [], "at __main__.py:2: TypeError: Expected resource name to be a string"),
]


@pytest.mark.parametrize("main,kw,args,phrase", [c[1:] for c in EXIT_2], ids=[c[0] for c in EXIT_2])
def test_program_fails(tmp_path, main, kw, args, phrase):
    program = Program(root=tmp_path, main=main if main is not None else "", **kw)
    outcome, prog, before = run_case(tmp_path, args, program=program)
    assert_contract(outcome, code=2, contains=phrase, before=before, program=prog)
    assert outcome.seconds < 15, outcome.seconds


# (id, __main__.py, expected exit code) — programs that still finish: the run reports.
REPORTS = [
    ("sys-exit-0-midway", AWS + REPO + "import sys; sys.exit(0)\naws.s3.Bucket('never')\n", 0),
    ("raise-system-exit-none", AWS + REPO + "raise SystemExit\n", 0),
    ("non-daemon-thread-left-running", AWS + REPO + "import threading, time\n"
     "threading.Thread(target=time.sleep, args=(300,)).start()\n", 0),
    ("closes-stdout-and-stderr", AWS + REPO + "import os; os.close(1); os.close(2)\n", 0),
    ("unscanned-repo-violation", AWS + 'aws.ecr.Repository("orders", tags={"team": "a"})\n', 1),
]


@pytest.mark.parametrize("main,code", [c[1:] for c in REPORTS], ids=[c[0] for c in REPORTS])
def test_program_still_reports(tmp_path, main, code):
    outcome, prog, before = run_case(tmp_path, ["--format", "json"], program=Program(root=tmp_path, main=main))
    report = assert_report(outcome, code=code, before=before, program=prog, json_report=True)
    assert any(r["name"] == "orders" for r in report["resources"])
    assert outcome.seconds < 15


def test_sys_exit_0_keeps_what_registered_before(tmp_path):
    main = AWS + REPO + "import sys; sys.exit(0)\naws.s3.Bucket('never')\n"
    outcome, prog, before = run_case(tmp_path, ["--format", "json"], program=Program(root=tmp_path, main=main))
    report = assert_report(outcome, code=0, before=before, program=prog, json_report=True)
    assert not any(r["name"] == "never" for r in report["resources"])


def test_stack_reference_is_listed(tmp_path):
    main = AWS + "ref = pulumi.StackReference('org/network/prod')\nref.get_output('vpcId')\n" + REPO
    outcome, prog, before = run_case(tmp_path, ["--format", "json"], program=Program(root=tmp_path, main=main))
    report = assert_report(outcome, code=0, before=before, program=prog, json_report=True)
    assert "org/network/prod" in str(report["unanswered_stack_references"])


def test_loud_program_report_still_parses(tmp_path):
    main = AWS + "import sys\nfor i in range(20000):\n    print('out', i)\n    print('err', i, file=sys.stderr)\n" + REPO
    outcome, prog, before = run_case(tmp_path, ["--format", "json"], program=Program(root=tmp_path, main=main))
    report = assert_report(outcome, code=0, before=before, program=prog, json_report=True)
    assert report["resources"]
    assert "out 19999" in outcome.stderr and "out 19999" not in outcome.stdout


def test_forked_child_is_killed(tmp_path):
    marker = tmp_path / "child.pid"
    main = AWS + f"import subprocess\np = subprocess.Popen(['sleep', '300'])\nopen({str(marker)!r}, 'w').write(str(p.pid))\n" + REPO
    outcome, prog, before = run_case(tmp_path, [], program=Program(root=tmp_path, main=main))
    assert_report(outcome, code=0, before=before, program=prog)
    time.sleep(0.1)
    assert not alive(int(marker.read_text()))


def test_forked_child_is_killed_when_program_fails(tmp_path):
    marker = tmp_path / "child.pid"
    main = AWS + f"import subprocess\np = subprocess.Popen(['sleep', '300'])\nopen({str(marker)!r}, 'w').write(str(p.pid))\n" \
        "raise RuntimeError('after fork')\n"
    outcome, prog, before = run_case(tmp_path, [], program=Program(root=tmp_path, main=main))
    assert_contract(outcome, code=2, contains="RuntimeError: after fork", before=before, program=prog)
    time.sleep(0.1)
    assert not alive(int(marker.read_text()))


def test_an_interpreter_without_the_pulumi_sdk_says_so_as_the_language_host_does(tmp_path):
    """sdk/python/cmd/pulumi-language-python-exec: 'It looks like the Pulumi SDK has not been installed'."""
    import subprocess
    import sys
    bare = tmp_path / "bare-venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(bare)], check=True)
    outcome, prog, before = run_case(tmp_path, [], program=Program(root=tmp_path / "p", main=AWS + REPO),
                                     env={"PULUMI_PYTHON_CMD": str(bare / "bin" / "python")})
    assert_contract(outcome, code=2, contains="No module named 'pulumi'. It looks like the Pulumi SDK has not been "
                                              "installed", before=before, program=prog)
    assert str(bare / "bin" / "python") in outcome.stderr

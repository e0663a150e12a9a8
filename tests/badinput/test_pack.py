"""A bad policy pack: it cannot start, dies, hangs, raises or misbehaves. Exit 2 naming what went wrong,
or a report when the pack's misbehaviour does not touch its verdict."""
from __future__ import annotations

import json

import pytest

from tests.badinput.badinput_helpers import assert_report, pack_main, procs_with_cwd_under, run_case, write_pack
from tests.badinput.harness import assert_contract

SERVE = "from pulumi_policy import PolicyPack"  # a pack body that starts no server
FAST = ["--pack-start-timeout", "3", "--analyze-timeout", "2"]

# (id, __main__.py (None: none), PulumiPolicy.yaml, extra files, phrase in the one stderr line)
EXIT_2 = [
    ("garbage-instead-of-port", "print('hello there', flush=True)\nimport time; time.sleep(60)\n",
     "runtime: python\n", {}, "printed 'hello there' where its port belongs"),
    ("port-out-of-range", "print(99999, flush=True)\nimport time; time.sleep(60)\n", "runtime: python\n", {},
     "printed '99999' where its port belongs"),
    ("port-then-exit", "print(45678, flush=True)\n", "runtime: python\n", {}, "exited after printing its port"),
    ("port-nobody-listens", "import socket; s = socket.socket(); s.bind(('127.0.0.1', 0))\n"
     "print(s.getsockname()[1], flush=True)\nimport time; time.sleep(60)\n", "runtime: python\n", {},
     "did not answer on port"),
    ("never-prints", "import time; time.sleep(60)\n", "runtime: python\n", {}, "printed no port within 3s"),
    ("crash-at-import", "import no_such_module_here\n", "runtime: python\n", {},
     "ModuleNotFoundError: No module named 'no_such_module_here'"),
    ("syntax-error", "def (:\n", "runtime: python\n", {}, "SyntaxError"),
    ("exits-0-without-serving", "import sys; sys.exit(0)\n", "runtime: python\n", {}, "failed to start: exit status 0"),
    ("killed-at-start", "import os, signal; os.kill(os.getpid(), signal.SIGKILL)\n", "runtime: python\n", {},
     "killed by signal SIGKILL"),
    ("policy-pack-raises-at-construction", "from pulumi_policy import PolicyPack\nPolicyPack('p', [])\n",
     "runtime: python\n", {}, "failed to start"),
    ("raises-in-validate", pack_main(body="raise RuntimeError('rule exploded')"), "runtime: python\n", {},
     "policy 'bad-resource-rule' raised RuntimeError: rule exploded"),
    ("raises-in-stack-policy", pack_main(stack_body="raise KeyError('missing')"), "runtime: python\n", {},
     "policy 'bad-stack-rule' raised KeyError"),
    ("hangs-in-validate", pack_main(body="time.sleep(60)"), "runtime: python\n", {},
     "policy 'bad-resource-rule' was still running"),
    ("hangs-in-stack-policy", pack_main(stack_body="time.sleep(60)"), "runtime: python\n", {},
     "policy 'bad-stack-rule' was still running"),
    ("os-exit-in-validate", pack_main(body="os._exit(3)"), "runtime: python\n", {}, "policy pack crashed during Analyze"),
    ("segfault-in-validate", pack_main(body="import signal; os.kill(os.getpid(), signal.SIGSEGV)"),
     "runtime: python\n", {}, "killed by signal SIGSEGV"),
    ("no-main", None, "runtime: python\n", {}, "__main__.py does not exist"),
    ("runtime-nodejs", pack_main(), "runtime: nodejs\n", {}, "runtime 'nodejs' is not supported"),
    ("runtime-missing", pack_main(), "version: 1.0.0\n", {}, "missing a 'runtime' attribute"),
    ("invalid-yaml", pack_main(), "runtime: [python\n", {}, "invalid YAML"),
    ("non-utf8-yaml", pack_main(), b"runtime: python\ndescription: caf\xe9\n", {}, "not UTF-8 (byte 0xe9 on line 2)"),
    ("yaml-is-a-list", pack_main(), "- runtime: python\n", {}, "must be a YAML mapping"),
    ("no-policy-yaml", pack_main(), None, {}, "no PulumiPolicy.yaml"),
    ("only-policy-yml", pack_main(), None, {"PulumiPolicy.yml": "runtime: python\n"}, "reads PulumiPolicy.yaml only"),
    ("virtualenv-not-a-string", pack_main(), "runtime:\n  name: python\n  options:\n    virtualenv: 3\n", {},
     "virtualenv option must be a string"),
    ("virtualenv-is-a-file", pack_main(), "runtime:\n  name: python\n  options:\n    virtualenv: env\n",
     {"env": "not a dir"}, "is not a directory"),
    ("virtualenv-not-a-venv", pack_main(), "runtime:\n  name: python\n  options:\n    virtualenv: env\n",
     {"env/lib/something.txt": "x"}, "doesn't appear to be a virtual environment"),
    ("toolchain-uv", pack_main(), "runtime:\n  name: python\n  options:\n    toolchain: uv\n", {},
     "toolchain 'uv' is not supported"),
]


@pytest.mark.parametrize("main,policy_yaml,files,phrase", [c[1:] for c in EXIT_2], ids=[c[0] for c in EXIT_2])
def test_bad_pack(tmp_path, main, policy_yaml, files, phrase):
    pack = write_pack(tmp_path, main, policy_yaml, files)
    before_pack = {p.name for p in pack.iterdir()}
    outcome, prog, before = run_case(tmp_path, ["--policy-pack", str(pack), *FAST])
    assert_contract(outcome, code=2, contains=phrase, before=before, program=prog)
    assert outcome.seconds < 20, outcome.seconds
    assert {p.name for p in pack.iterdir()} == before_pack
    assert not procs_with_cwd_under(pack)


def test_pack_dir_missing(tmp_path):
    outcome, prog, before = run_case(tmp_path, ["--policy-pack", str(tmp_path / "nowhere")])
    assert_contract(outcome, code=2, contains="the directory does not exist", before=before, program=prog)


def test_pack_is_a_file(tmp_path):
    (tmp_path / "pack.py").write_text("x = 1\n")
    outcome, prog, before = run_case(tmp_path, ["--policy-pack", str(tmp_path / "pack.py")])
    assert_contract(outcome, code=2, contains="pack.py\": not a directory", before=before, program=prog)


def test_requirements_that_cannot_install(tmp_path):
    """A virtualenv built from a requirement that cannot install: exit 2, and no half-built venv remains."""
    pack = write_pack(tmp_path, pack_main(), "runtime:\n  name: python\n  options:\n    virtualenv: venv\n",
                      {"requirements.txt": "./nope\n"})
    outcome, prog, before = run_case(tmp_path, ["--policy-pack", str(pack)])
    assert_contract(outcome, code=2, contains="installing", before=before, program=prog)
    assert not (pack / "venv").exists()
    assert not procs_with_cwd_under(pack)


# Packs that misbehave without touching the verdict: the run reports.
REPORTS = [
    ("prints-to-stdout-after-port", pack_main(body="print('x' * 100000, flush=True)"), 0),
    ("writes-lots-to-stderr", pack_main(prelude="sys.stderr.write('e' * 1000000 + '\\n')"), 0),
    ("huge-violation-message", pack_main(body="report_violation('v' * 5_000_000)"), 1),
    ("many-violations", pack_main(body="for i in range(2000): report_violation(f'violation {i}')"), 1),
    ("unicode-violation", pack_main(body="report_violation('ünïcødé ✓ 🚫\\nsecond line')"), 1),
    ("forks-a-sleeping-child", pack_main(prelude="import subprocess; subprocess.Popen(['sleep', '300'])"), 0),
]


@pytest.mark.parametrize("main,code", [c[1:] for c in REPORTS], ids=[c[0] for c in REPORTS])
def test_pack_misbehaves_but_reports(tmp_path, main, code):
    pack = write_pack(tmp_path, main)
    outcome, prog, before = run_case(tmp_path, ["--policy-pack", str(pack), "--format", "json", *FAST])
    report = assert_report(outcome, code=code, before=before, program=prog, json_report=True)
    assert report is not None
    assert not procs_with_cwd_under(pack)


def test_huge_message_survives_in_json(tmp_path):
    pack = write_pack(tmp_path, pack_main(body="report_violation('big ' + 'v' * 1_000_000)"))
    outcome, prog, before = run_case(tmp_path, ["--policy-pack", str(pack), "--format", "json"])
    report = assert_report(outcome, code=1, before=before, program=prog, json_report=True)
    assert any(len(json.dumps(v)) > 1_000_000 for v in report["violations"])

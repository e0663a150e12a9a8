"""SIGTERM / SIGINT at every phase: exit 143 / 130 within 5 s of the signal, one line, nothing left running."""
from __future__ import annotations

import signal
import time

import pytest

from tests.badinput.badinput_helpers import pack_main, procs_with_cwd_under, run_case, write_pack
from tests.badinput.harness import Program, assert_contract

GRACE = 5.0
EXIT = {signal.SIGTERM: 143, signal.SIGINT: 130}


def touch(marker) -> str:
    return f"open({str(marker)!r}, 'w').close()"


def _phase(tmp_path, phase: str):
    """(pack dir, program, marker file) for a run that stalls in `phase` once `marker` exists."""
    marker = tmp_path / "stalled"
    program = Program(root=tmp_path)
    if phase == "pack-start":
        pack = write_pack(tmp_path, f"import time\n{touch(marker)}\ntime.sleep(300)\n")
    elif phase == "pack-start-ignoring-sigterm":
        pack = write_pack(tmp_path, f"import signal, time\nsignal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
                                    f"{touch(marker)}\ntime.sleep(300)\n")
    elif phase == "program":
        pack = write_pack(tmp_path, pack_main())
        program = Program(root=tmp_path, main=f"import time\n{touch(marker)}\ntime.sleep(300)\n")
    elif phase == "program-ignoring-signals":
        pack = write_pack(tmp_path, pack_main())
        program = Program(root=tmp_path, main="import signal, time\nfor s in (signal.SIGTERM, signal.SIGINT):\n"
                                              f"    signal.signal(s, signal.SIG_IGN)\n{touch(marker)}\ntime.sleep(300)\n")
    elif phase == "analysis":
        pack = write_pack(tmp_path, pack_main(body=f"{touch(marker)}\ntime.sleep(300)"))
    elif phase == "analysis-pack-ignoring-sigterm":
        pack = write_pack(tmp_path, pack_main(prelude="import signal; signal.signal(signal.SIGTERM, signal.SIG_IGN)",
                                              body=f"{touch(marker)}\ntime.sleep(300)"))
    elif phase == "stack-analysis":
        pack = write_pack(tmp_path, pack_main(stack_body=f"{touch(marker)}\ntime.sleep(300)"))
    else:
        raise AssertionError(phase)
    return pack, program, marker


CASES = [(phase, signum) for phase in ("pack-start", "program", "analysis", "stack-analysis")
         for signum in (signal.SIGTERM, signal.SIGINT)] + [
    ("pack-start-ignoring-sigterm", signal.SIGTERM),
    ("program-ignoring-signals", signal.SIGINT),
    ("analysis-pack-ignoring-sigterm", signal.SIGTERM),
]


@pytest.mark.parametrize("phase,signum", CASES, ids=[f"{p}-{signal.Signals(s).name}" for p, s in CASES])
def test_signal(tmp_path, phase, signum):
    pack, program, marker = _phase(tmp_path, phase)
    seen = []

    def stalled(_pid_file) -> bool:
        if marker.exists():
            seen.append(time.monotonic())
            return True
        return False

    outcome, prog, before = run_case(tmp_path, ["--policy-pack", str(pack)], program=program,
                                     signal_after=0.3, signum=signum, wait_for=stalled, timeout=60)
    ended = time.monotonic()
    assert seen, outcome.stderr
    assert ended - seen[0] - 0.3 < GRACE, ended - seen[0]
    assert_contract(outcome, code=EXIT[signum], contains=f"stopped by {signal.Signals(signum).name}",
                    before=before, program=prog)
    assert not procs_with_cwd_under(pack) and not procs_with_cwd_under(prog)


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_signal_during_venv_build(tmp_path, signum):
    """Stopped while it builds the pack's virtualenv: the half-built venv goes, and so does pip."""
    pack = write_pack(tmp_path, pack_main(), "runtime:\n  name: python\n  options:\n    virtualenv: venv\n",
                      {"requirements.txt": "pyyaml\n"})
    clock = []

    def building(_pid_file):
        if (pack / "venv").exists():
            clock.append(time.monotonic())
            return True
        return False

    outcome, prog, before = run_case(tmp_path, ["--policy-pack", str(pack)], signal_after=0.3, signum=signum,
                                     wait_for=building, timeout=60)
    ended = time.monotonic()
    assert clock, outcome.stderr
    assert ended - clock[0] - 0.3 < GRACE, ended - clock[0]
    assert_contract(outcome, code=EXIT[signum], contains=f"stopped by {signal.Signals(signum).name}",
                    before=before, program=prog)
    assert not (pack / "venv").exists()
    assert not procs_with_cwd_under(pack)

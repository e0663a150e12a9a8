"""ProgramHost.wait: when the pack fails first (`check` raises), a program that ends in an error of its own
within the grace has that error reported; one still running leaves the pack's error, on a wall-clock bound."""
import sys
import time

import pytest

from preflight import project as project_mod
from preflight.program import ProgramError, ProgramSpec
from preflight.program_host import ProgramHost


class PackFailed(Exception):
    pass


def _host(tmp_path, main: str) -> ProgramHost:
    (tmp_path / "Pulumi.yaml").write_text("name: waits\nruntime: python\n")
    (tmp_path / "Pulumi.dev.yaml").write_text("config: {}\n")
    (tmp_path / "__main__.py").write_text(main)
    p = project_mod.load(tmp_path, "dev")
    spec = ProgramSpec(name=p.name, stack=p.stack, directory=p.directory, main=p.main, config=p.config,
                       secret_keys=[])
    return ProgramHost(spec, "preview", python=sys.executable, on_register=lambda reg: None,
                       on_start=lambda pid: None)


def _pack_failed() -> None:
    raise PackFailed("policy pack failed to start")


def test_the_programs_own_error_within_the_grace_is_the_one_reported(tmp_path):
    host = _host(tmp_path, "import time\ntime.sleep(0.3)\nraise ValueError('no SDK here')\n")
    try:
        with pytest.raises(ProgramError, match="ValueError: no SDK here"):
            host.wait(60, check=_pack_failed, own_error_grace=10)
    finally:
        host.close()


def test_a_program_still_running_after_the_grace_leaves_the_packs_error(tmp_path):
    host = _host(tmp_path, "import time\ntime.sleep(60)\n")
    started = time.monotonic()
    try:
        with pytest.raises(PackFailed):
            host.wait(60, check=_pack_failed, own_error_grace=0.5)
    finally:
        host.close()
    assert time.monotonic() - started < 10


def test_without_a_grace_the_packs_error_stops_the_wait_at_once(tmp_path):
    host = _host(tmp_path, "import time\ntime.sleep(0.3)\nraise ValueError('late')\n")
    try:
        with pytest.raises(PackFailed):
            host.wait(60, check=_pack_failed)
    finally:
        host.close()

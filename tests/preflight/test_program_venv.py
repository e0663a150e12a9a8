"""A program whose Pulumi.yaml names a virtualenv that is not there yet: refused as `pulumi preview` refuses it
(pulumi/pulumi sdk/python/toolchain/pip.go NewVirtualEnvError), and with `--install` built as `pulumi install`
builds it (pip.go InstallDependencies: `python -m venv`, pip/setuptools/wheel upgraded, then
`pip install -r requirements.txt` in the program's directory), as preflight builds the pack's; a directory in
the way that is no virtualenv is refused with one line naming Pulumi.yaml."""
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "tests" / "fixtures" / "violating"
PROJECT = "name: fixture-violating\nruntime:\n  name: python\n  options:\n    virtualenv: .venv\nmain: app/\n"


def _program(tmp_path: Path) -> Path:
    program = tmp_path / "program"
    shutil.copytree(FIXTURE, program / "app")
    (program / "app" / "Pulumi.yaml").unlink()
    shutil.move(program / "app" / "Pulumi.dev.yaml", program / "Pulumi.dev.yaml")
    (program / "Pulumi.yaml").write_text(PROJECT)
    # In the program's directory (main), where InstallDependencies runs pip; nothing to install offline.
    (program / "app" / "requirements.txt").write_text("# the program's requirements\n")
    return program


def _preflight(program: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "preflight", "--program", str(program), "--stack", "dev",
                           "--policy-pack", str(ROOT / "policies"), *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=600)


def test_a_missing_program_virtualenv_is_refused_as_pulumi_preview_refuses_it(tmp_path):
    program = _program(tmp_path)
    proc = _preflight(program)
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1, proc.stderr
    assert f"The 'virtualenv' option in Pulumi.yaml is set to '{program / '.venv'}', but it doesn't exist" \
        in proc.stderr
    assert "run `pulumi install` (or preflight --install)" in proc.stderr
    assert not (program / ".venv").exists()


def test_with_install_it_is_built_where_pulumi_yaml_names_it_and_runs_the_program(tmp_path):
    program = _program(tmp_path)
    proc = _preflight(program, "--install")
    venv = program / ".venv"
    assert (venv / "bin" / "python").is_file() and (venv / "pyvenv.cfg").is_file()
    # Built from requirements.txt alone (no Pulumi SDK in it): the program ran on that interpreter.
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1, proc.stderr
    assert "It looks like the Pulumi SDK has not been installed" in proc.stderr
    assert f"(python: {venv / 'bin' / 'python'})" in proc.stderr


def test_a_directory_in_the_way_that_is_no_virtualenv_is_refused_in_one_line(tmp_path):
    program = _program(tmp_path)
    (program / ".venv").mkdir()
    (program / ".venv" / "notes.txt").write_text("not a virtualenv\n")
    proc = _preflight(program, "--install")
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1, proc.stderr
    assert proc.stderr.startswith("preflight: ")
    assert "The 'virtualenv' option in Pulumi.yaml is set to" in proc.stderr
    assert "doesn't appear to be a virtual environment" in proc.stderr
    assert (program / ".venv" / "notes.txt").exists()          # nothing of the user's is removed

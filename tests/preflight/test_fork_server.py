"""The host fork server (preflight/host_zygote.py, preflight/fork_server.py): program hosts forked from an
interpreter that has imported the SDK and the provider modules give exactly the reports of fresh
interpreters, a provider's lazy modules come out whole, a program's own packages are never preloaded, and a
server that is gone means fresh interpreters again, never a failed run."""
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from preflight import project as project_mod
from preflight.fork_server import ENV, ForkServers
from preflight.host_zygote import preloadable
from preflight.program import ProgramSpec
from preflight.program_host import ProgramHost

ROOT = Path(__file__).resolve().parents[2]
VIOLATING = ROOT / "tests" / "fixtures" / "violating"


def _reports(fork: str) -> dict[str, dict]:
    proc = subprocess.run([sys.executable, "-m", "preflight", "--stack", "prod", "--stack", "prod-orders",
                           "--stack", "prod-notifier", "--policy-pack-config", "policies/config/prod.json",
                           "--format", "json"], cwd=ROOT, env={**os.environ, ENV: fork},
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    stacks = {}
    for report in json.loads(proc.stdout)["stacks"]:
        report.pop("timings", None)
        report.get("schema_stats", {}).pop("host_seconds", None)
        stacks[report["stack"]] = report
    return stacks


def test_forked_hosts_report_exactly_what_fresh_interpreters_report():
    forked, fresh = _reports("1"), _reports("0")
    assert list(forked) == ["prod", "prod-orders", "prod-notifier"]
    for name, report in fresh.items():
        assert forked[name] == report, name
    # Known parts ran (the preview left unknowns), and the foundation's outputs reached the service stacks.
    assert forked["prod-orders"]["answered_stack_references"][0]["source"] == "run"
    assert len(forked["prod-orders"]["resources"]) == 80


def test_only_the_sdk_providers_and_the_standard_library_are_preloaded():
    assert all(map(preloadable, ["pulumi", "pulumi.runtime.mocks", "pulumi_aws.ec2.security_group", "grpc",
                                 "google.protobuf.struct_pb2", "pydantic", "json", "asyncio.events"]))
    # A program's own packages, wherever installed, and preflight itself run fresh in every host.
    assert not any(map(preloadable, ["components", "components.platform", "preflight.fabricate", "acme_infra",
                                     "pulumixyz"]))


def test_a_provider_module_preloaded_from_its_submodule_keeps_its_names():
    # pulumi._utils._LazyModule: importing `…codestarnotifications.notification_rule` straight into the lazy,
    # never-run parent leaves the parent without NotificationRule; the server runs the parent first.
    code = ("import sys; from preflight import host_zygote as z\n"
            "z._preload(['pulumi_aws.codestarnotifications.notification_rule', 'components.platform'])\n"
            "import pulumi_aws\n"
            "print(pulumi_aws.codestarnotifications.NotificationRule.__name__, 'components' in sys.modules)")
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["NotificationRule", "False"]


def _spec() -> ProgramSpec:
    project = project_mod.load(VIOLATING, "dev")
    return ProgramSpec(name=project.name, stack=project.stack, directory=project.directory, main=project.main,
                       config=project.config, secret_keys=list(project.secret_keys))


def _host(forks: ForkServers, started: list[int]) -> ProgramHost:
    return ProgramHost(_spec(), "preview", python=sys.executable, on_register=lambda reg: None,
                       on_start=started.append, forks=forks)


def test_a_dead_fork_server_means_fresh_interpreters_not_a_failed_run():
    servers: list[int] = []
    forks = ForkServers(on_start=servers.append)
    started: list[int] = []
    host = _host(forks, started)
    try:
        first = host.wait(120)
        assert not isinstance(host.proc, subprocess.Popen)             # forked by the server
        assert os.getpgid(host.pid) == host.pid                        # in its own process group
    finally:
        host.close()
    (server_pid,) = servers
    os.killpg(server_pid, signal.SIGKILL)
    deadline = time.monotonic() + 10
    while forks.get(sys.executable, dict(os.environ))._alive and time.monotonic() < deadline:
        time.sleep(0.05)
    host = _host(forks, started)
    try:
        second = host.wait(120)
        assert isinstance(host.proc, subprocess.Popen)                 # the ordinary way
    finally:
        host.close()
        forks.close()
    assert sorted(first.registrations) == sorted(second.registrations)
    assert len(first.registrations) > 3
    for pid in [*started, server_pid]:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)

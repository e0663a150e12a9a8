"""`bundled:NAME` and the default pack from a checkout: policies/ itself, run as the CLI runs it (the
installed case is tests/packaging/test_installed.py)."""
from __future__ import annotations

from pathlib import Path

import pytest

from preflight import bundled
from preflight.cli import options, parser

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("name", ["dev", "prod"])
def test_a_bundled_config_is_the_packs_own_file(name):
    args = parser().parse_args(["--policy-pack-config", f"bundled:{name}"])
    assert args.policy_pack_config == ROOT / "policies" / "config" / f"{name}.json"


def test_a_plain_path_stays_a_path():
    assert parser().parse_args(["--policy-pack-config", "my.json"]).policy_pack_config == Path("my.json")


def test_in_a_checkout_the_bundled_pack_is_policies_run_as_is(tmp_path):
    (tmp_path / "Pulumi.yaml").write_text("name: p\nruntime: python\n")
    opts = options(parser().parse_args(["--program", str(tmp_path), "--policy-pack-config", "bundled:prod"]))
    assert bundled.installed() is False
    assert (opts.policy_pack, opts.policy_pack_config) == (ROOT / "policies", ROOT / "policies/config/prod.json")
    assert bundled.config_names() == ["dev", "prod"]

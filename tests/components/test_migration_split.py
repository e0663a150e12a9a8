"""Moving from the monolith to the split layout replaces nothing (issue 10, item 2).

The prod layout before the split (tests/components/data/monolith_prod.yaml) and after it (Pulumi.prod.yaml and
the four Pulumi.prod-<service>.yaml) run under preflight's runner as a first preview runs them. Each service
stack's resources are moved out of the monolith's state by the README's `pulumi state move` commands
(migration.state_move, after pkg/cmd/pulumi/state/state_move.go), and each split stack's registrations take over
what they find as the engine matches URNs and aliases (migration.adopt, after
pkg/resource/deploy/step_generator.go getOldResource).
"""
from __future__ import annotations

import json
import re
import shlex

import pytest

from preflight import fabricate
from tests.components import hygiene_runs as runs
from tests.components.harness import ROOT
from tests.components.migration import adopt, resources, split_urn, state_move

SERVICE_STACKS = {"orders": "prod-orders", "payments": "prod-payments", "catalog": "prod-catalog",
                  "notifier": "prod-notifier"}
COMPONENTS = "aws-cicd-platform:components:"
# The only resources a service stack has that the monolith's state does not give it: components, which own
# nothing in AWS. Its Platform and Accounts stay in the foundation (a state move never takes a moved resource's
# ancestors along), so the service stack creates its own. Its providers are not new: state move copies each
# provider a moved resource uses, and the Account's provider adopts that copy by alias. Its StackReference is a
# read of the foundation's outputs (ReadResource), not a resource preflight records.
NEW_PER_SERVICE_STACK = ["Account::prod", "Account::staging", "Account::tooling", "Platform::platform"]
# The foundation's one update: the artifact key policy names the service stacks' build roles through an
# aws:PrincipalArn condition (they are created after the foundation; KMS refuses a policy naming a missing role).
FOUNDATION_UPDATES = ["aws:kms/keyPolicy:KeyPolicy::artifacts-key-policy"]


def readme_moves() -> dict[str, list[str]]:
    """dest stack -> the URNs its `pulumi state move` line names (README, "Two layouts")."""
    text = (ROOT / "README.md").read_text().replace("\\\n", " ")
    prefix = re.search(r"^P='([^']+)'$", text, re.M).group(1)
    moves: dict[str, list[str]] = {}
    for line in re.findall(r"^pulumi state move .*$", text, re.M):
        argv = shlex.split(line.replace("$P", prefix))
        dest = argv[argv.index("--dest") + 1]
        moves[dest] = [a for a in argv if a.startswith("urn:")]
    return moves


def _program_inputs(reg) -> str:
    """The inputs the program gave, without an auto-name preflight made up (from the URN, which the move changes).
    The provider keeps an auto-name across updates: its Check takes a default from the old inputs first
    (pulumi-terraform-bridge pkg/tfbridge/schema.go, applyDefaults)."""
    prop = fabricate.autoname_property(reg.type)
    inputs = dict(reg.inputs)
    if prop and inputs.get(prop) == fabricate.autoname(reg.type, reg.name, reg.urn, {**inputs, prop: None}).get(prop):
        del inputs[prop]
    return json.dumps(inputs, sort_keys=True)


def _short(urn: str) -> str:
    _, _, qualified, name = split_urn(urn)
    return f"{qualified.rsplit('$', 1)[-1].removeprefix(COMPONENTS)}::{name}"


@pytest.fixture(scope="module")
def layout():
    monolith = runs.run(runs.monolith_prod_spec()).monitor.registrations
    foundation_run = runs.run(runs.stack_spec("prod"))
    exports = runs.exports(foundation_run)
    split = {"prod": foundation_run.monitor.registrations}
    for stack in SERVICE_STACKS.values():
        split[stack] = runs.run(runs.stack_spec(stack), stack_outputs={"prod": exports}).monitor.registrations
    moves = {dest: state_move(resources(monolith), dest, urns) for dest, urns in readme_moves().items()}
    moved_out = {old for move in moves.values() for old in move.moved}
    olds = {"prod": {r.urn for r in resources(monolith)} - moved_out}
    olds.update({dest: set(m.moved.values()) | set(m.copied_providers.values()) for dest, m in moves.items()})
    taken = {stack: adopt(resources(regs), olds[stack]) for stack, regs in split.items()}
    return monolith, split, moves, taken


def _homes(layout) -> dict[str, list[str]]:
    """Monolith URN -> the split URNs that take it over, in any stack."""
    monolith, split, moves, taken = layout
    back = {new: old for move in moves.values() for old, new in move.moved.items()}
    homes: dict[str, list[str]] = {urn: [] for urn in monolith if split_urn(urn)[2] != "pulumi:pulumi:Stack"}
    for stack, adopted in taken.items():
        for urn, old in adopted.items():
            if old is not None and (stack == "prod" or old in back):
                homes[old if stack == "prod" else back[old]].append(urn)
    return homes


def test_the_readme_moves_each_service_stacks_top_level_components_and_nothing_else(layout):
    monolith, split, _, _ = layout
    moves = readme_moves()
    assert sorted(moves) == sorted(SERVICE_STACKS.values())
    for service, stack in SERVICE_STACKS.items():
        platform = next(u for u, r in split[stack].items() if r.type == f"{COMPONENTS}Platform")
        top = {r.name for r in split[stack].values() if r.parent == platform and r.type != f"{COMPONENTS}Account"}
        assert sorted(split_urn(u)[3] for u in moves[stack]) == sorted(top)
        assert all(u in monolith and u.startswith("urn:pulumi:prod::") for u in moves[stack])
    everything = [u for urns in moves.values() for u in urns]
    assert len(everything) == len(set(everything)) == 27


def test_every_monolith_resource_has_exactly_one_home_in_the_split_layout(layout):
    homes = _homes(layout)
    custom = [u for u, r in layout[0].items() if r.custom]
    assert len(custom) == 264
    assert {u: h for u, h in homes.items() if len(h) != 1} == {}
    assert all(len(homes[u]) == 1 for u in custom)


def test_no_split_resource_is_new_but_each_service_stacks_components_of_its_own(layout):
    _, split, _, taken = layout
    assert [_short(u) for u, old in taken["prod"].items() if old is None] == []
    for stack in SERVICE_STACKS.values():
        assert sorted(_short(u) for u, old in taken[stack].items() if old is None) == NEW_PER_SERVICE_STACK, stack
        assert all(not split[stack][u].custom for u, old in taken[stack].items() if old is None)


def test_providers_are_the_copies_state_move_made_so_no_resource_changes_provider(layout):
    monolith, split, moves, taken = layout
    for stack, move in moves.items():
        back = {new: old for old, new in move.moved.items()}
        for urn, old in taken[stack].items():
            reg = split[stack][urn]
            if not reg.custom or reg.type.startswith("pulumi:providers:"):
                continue
            mono_provider = monolith[back[old]].provider.rsplit("::", 1)[0]
            assert taken[stack][reg.provider.rsplit("::", 1)[0]] == move.copied_providers[mono_provider], urn


def test_the_alias_table(layout):
    """How a service stack takes over what was moved to it: each top-level component and each provider copy by
    an alias of its own, the root-level URN state move gave it (Alias(parent=pulumi.ROOT_STACK_RESOURCE)); every
    other resource by the alias its parent's match implies (inheritedChildAlias). The foundation by URN."""
    monolith, split, moves, taken = layout
    assert all(old == urn for urn, old in taken["prod"].items())
    table = {}
    for stack, move in moves.items():
        own, inherited = [], []
        for urn, old in taken[stack].items():
            if old is not None:
                assert old != urn, urn
                (own if old in split[stack][urn].options["aliases"] else inherited).append(urn)
        top = [u.replace("urn:pulumi:prod::", f"urn:pulumi:{stack}::") for u in readme_moves()[stack]]
        providers = [u for u in split[stack] if split_urn(u)[2].endswith("$pulumi:providers:aws")]
        assert sorted(own) == sorted(top + providers)
        for urn in own:
            _, project, qualified, name = split_urn(urn)
            assert split[stack][urn].options["aliases"] == \
                [f"urn:pulumi:{stack}::{project}::{qualified.rsplit('$', 1)[-1]}::{name}"]
        table[stack] = {"moved": len(move.moved), "custom": sum(monolith[u].custom for u in move.moved),
                        "provider copies": len(move.copied_providers), "own alias": len(own),
                        "parent's alias": len(inherited)}
    ecs = {"moved": 73, "custom": 66, "provider copies": 3, "own alias": 10, "parent's alias": 66}
    assert table == {"prod-orders": ecs, "prod-payments": ecs, "prod-catalog": ecs, "prod-notifier": {
        "moved": 41, "custom": 35, "provider copies": 3, "own alias": 9, "parent's alias": 35}}


def test_moved_and_staying_resources_keep_their_inputs(layout):
    """Nothing to replace: every custom resource's inputs are the monolith's, but the foundation's key policy."""
    monolith, split, _, _ = layout
    homes = _homes(layout)
    changed = []
    for old, (new,) in homes.items():
        stack = split_urn(new)[0]
        before, after = monolith[old], split[stack][new]
        if before.custom and not before.type.startswith("pulumi:providers:") and \
                _program_inputs(before) != _program_inputs(after):
            changed.append(_short(new))
    assert changed == FOUNDATION_UPDATES

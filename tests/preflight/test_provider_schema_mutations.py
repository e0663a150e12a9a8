"""Mutation tests: a typo, a wrong kind or a bad enum planted in what each platform component passes to AWS.

The platform program runs once in-process on each stack of the prod layout (preview: the foundation, then its
four service stacks reading it, tests/prod_layout.py); for every component and every resource
type it registers, one recorded registration is copied, a mutation is planted at a real nested path of
its recorded inputs, and the check must name exactly that path. Components are found from the run, so a
new component is covered without editing this file. What is refused follows the provider's Check
(pulumi/pulumi-terraform-bridge Check → terraform-plugin-sdk `validateObject`/`validatePrimitive`;
terraform-provider-aws `enum.Validate[...]` for the closed sets).
"""
import copy
from collections import defaultdict
from types import SimpleNamespace

import pytest

from preflight.schema.check import check_registrations
from preflight.schema.documents import DocumentChecks
from preflight.schema.provider_enums import CLOSED_SETS
from preflight.schema.resolve import resolve
from preflight.schema.shapes import Catalog, ListOf, Obj, Prim
from preflight.schema.walk import join, plain
from tests.prod_layout import run_layout

COMPONENT_PREFIX = "aws-cicd-platform:components:"
KNOWN_COMPONENTS = {"ArtifactStore", "BuildProject", "ContainerRegistry", "CrossAccountDeployRole",
                    "DeliveryPipeline", "EcsBlueGreenService", "GitHubActionsDeployer", "LambdaCanaryService",
                    "Notifications", "PipelineRole"}
CATALOG = Catalog()


@pytest.fixture(scope="module")
def samples() -> dict[str, dict]:
    """component -> {resource type -> one recorded registration of it}."""
    out: dict[str, dict] = defaultdict(dict)
    for _, run in run_layout("preview"):
        regs = run.monitor.registrations
        for reg in regs.values():
            if not reg.custom or reg.is_provider:
                continue
            component = _component(reg, regs)
            if component:
                out[component].setdefault(reg.type, reg)
    return out


def _component(reg, regs) -> str:
    parent = regs.get(reg.parent)
    while parent is not None and not parent.type.startswith(COMPONENT_PREFIX):
        parent = regs.get(parent.parent)
    return parent.type[len(COMPONENT_PREFIX):] if parent else ""


def _objects(value, cls, path):
    """(path, the dict itself, its input type) for the object and every known nested object in it."""
    yield path, value, cls
    for wire, field in CATALOG.fields(cls).fields.items():
        known, child = plain(value.get(wire))
        if not known:
            continue
        shape, here = field.shape, join(path, wire)
        if isinstance(shape, Obj) and isinstance(child, dict):
            yield from _objects(child, shape.cls, here)
        elif isinstance(shape, ListOf) and isinstance(shape.item, Obj) and isinstance(child, list):
            for i, item in enumerate(child):
                known, item = plain(item)
                if known and isinstance(item, dict):
                    yield from _objects(item, shape.item.cls, f"{here}[{i}]")


def _leaves(value, cls, path):
    """(path, container, key, kind) of every known primitive value in the object tree."""
    for obj_path, obj, obj_cls in _objects(value, cls, path):
        for wire, field in CATALOG.fields(obj_cls).fields.items():
            known, _ = plain(obj.get(wire))
            if known and isinstance(field.shape, Prim):
                yield join(obj_path, wire), obj, wire, field.shape.kind


def _mutant(reg, inputs):
    return SimpleNamespace(type=reg.type, urn=reg.urn, name=reg.name, custom=True, inputs=inputs)


def _findings(reg, inputs) -> list[tuple[str, str]]:
    result = check_registrations([_mutant(reg, inputs)])
    assert result.unchecked == {}, result.unchecked
    return [(f["path"], f["message"]) for f in result.findings]


def test_every_component_of_the_platform_is_sampled(samples):
    assert KNOWN_COMPONENTS <= set(samples)
    assert sum(len(types) for types in samples.values()) >= 40


def test_the_recorded_inputs_of_every_component_pass_unmutated(samples):
    bad = {(c, t): _findings(reg, reg.inputs) for c, types in samples.items() for t, reg in types.items()}
    assert {key: value for key, value in bad.items() if value} == {}


def test_a_typo_at_the_deepest_nested_object_is_named_with_its_path(samples):
    missed = []
    for component, types in sorted(samples.items()):
        for rtype, reg in sorted(types.items()):
            inputs = copy.deepcopy(reg.inputs)
            path, obj, _ = max(_objects(inputs, resolve(rtype).args_cls, ""), key=lambda o: o[0].count(".") +
                               o[0].count("["))
            key = sorted(k for k in obj if not k.startswith("__"))[0]
            obj[key + "x"] = obj[key]
            expected = (join(path, key + "x"), f"unknown key; did you mean '{key}'?")
            got = _findings(reg, inputs)
            if got != [expected]:
                missed.append((component, rtype, expected, got))
    assert missed == []


def test_a_wrong_kind_at_a_nested_leaf_is_named_with_its_path(samples):
    missed = []
    for component, types in sorted(samples.items()):
        for rtype, reg in sorted(types.items()):
            inputs = copy.deepcopy(reg.inputs)
            leaves = list(_leaves(inputs, resolve(rtype).args_cls, ""))
            path, obj, key, kind = max(leaves, key=lambda leaf: leaf[0].count(".") + leaf[0].count("["))
            obj[key] = {"planted": True}
            wanted = {"string": "a string", "integer": "a whole number", "number": "a number", "boolean": "a bool"}
            expected = (path, f"expected {wanted[kind]}, got an object")
            got = _findings(reg, inputs)
            if got != [expected]:
                missed.append((component, rtype, expected, got))
    assert missed == []


def test_a_bad_enum_value_in_every_closed_set_a_component_fills_is_refused(samples):
    """terraform-provider-aws validates these with enum.Validate (exact, case-sensitive)."""
    planted = []
    for component, types in sorted(samples.items()):
        for (rtype, pattern), _ in CLOSED_SETS.items():
            reg = types.get(rtype)
            if reg is None:
                continue
            inputs = copy.deepcopy(reg.inputs)
            container, key, path = _closed_set_slot(inputs, pattern)
            if container is None:
                continue
            container[key] = "NOT_A_VALUE"
            checks = DocumentChecks().run([_mutant(reg, inputs)])
            assert [f["path"] for f in checks.findings][:1] == [path], (component, rtype, pattern)
            # A pipeline no longer V2 also loses its V2-only actions (the Lambda deploy action): named too.
            assert all(f["path"].startswith("stages[") and "runs only in V2 pipelines" in f["message"]
                       for f in checks.findings[1:]), (component, rtype, pattern, checks.findings)
            planted.append((component, path))
    assert {component for component, _ in planted} == {"BuildProject", "ContainerRegistry", "DeliveryPipeline",
                                                       "EcsBlueGreenService", "LambdaCanaryService"}
    assert ("BuildProject", "environment.computeType") in planted
    assert ("EcsBlueGreenService", "deploymentController.type") in planted


def _closed_set_slot(inputs, pattern):
    """The dict and key holding the first known string at `pattern` (`[]` = first element), with its path."""
    value, path = inputs, ""
    steps = pattern.split(".")
    for n, step in enumerate(steps):
        each = step.endswith("[]")
        key = step[:-2] if each else step
        known, value_here = plain(value)
        if not known or not isinstance(value_here, dict):
            return None, None, None
        path = join(path, key)
        known, child = plain(value_here.get(key))
        if not known:
            return None, None, None
        if n == len(steps) - 1 and not each:
            return (value_here, key, path) if isinstance(child, str) else (None, None, None)
        if each:
            if not isinstance(child, list) or not child:
                return None, None, None
            if n == len(steps) - 1:
                return (child, 0, f"{path}[0]") if isinstance(child[0], str) else (None, None, None)
            child, path = child[0], f"{path}[0]"
        value = child
    return None, None, None

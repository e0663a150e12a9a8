"""`register_outputs` is each component's last call: no child is registered after it.

Pulumi's component guidance (docs "Component resources", and ComponentResource.register_outputs in
sdk/python/lib/pulumi/resource.py: "Register synthetic outputs that a component has initialized, usually by
allocating other child sub-resources") makes the call the signal that the component is complete; the engine
publishes the outputs then (pkg/resource/deploy/source_eval.go RegisterResourceOutputs). The order is checked
where the program makes the calls (`CallOrder`); the monitor's wire sequence only says that the outputs came.
"""
from __future__ import annotations

import pytest

from preflight.monitor import ROOT_STACK_TYPE
from tests.components.harness import PROD_LAYOUT
from tests.components.hygiene_runs import CallOrder, run_stack


@pytest.fixture(scope="module", params=["dev", *PROD_LAYOUT])
def recorded(request):
    monkeypatch = pytest.MonkeyPatch()
    order = CallOrder(request.param)
    order.install(monkeypatch)
    try:
        run = run_stack(request.param)
    finally:
        monkeypatch.undo()
    return order, run


def test_no_component_registers_a_child_after_its_outputs(recorded):
    order, _ = recorded
    assert [f"{parent.split('::')[-1]} -> {child.split('::')[-1]}" for parent, child in order.late_children()] == []


def test_every_component_registers_its_outputs_once(recorded):
    order, run = recorded
    components = order.components()
    assert len(components) >= 10
    assert [c for c in components if len(order.outputs.get(c, [])) != 1] == []
    # The engine saw them too: each component's RegisterResourceOutputs reached the monitor.
    registrations = run.monitor.registrations
    assert [c for c in components if registrations[c].outputs_seq is None] == []
    assert all(registrations[c].outputs_seq > registrations[c].seq for c in components)


def test_program_order_covers_every_registration(recorded):
    order, run = recorded
    recorded_urns = {c.urn for c in order.calls.values()}
    engine_urns = {urn for urn, reg in run.monitor.registrations.items() if not reg.options.get("default")}
    assert recorded_urns == engine_urns
    assert sum(1 for c in order.calls.values() if c.type == ROOT_STACK_TYPE) == 1


def test_grants_are_components_of_their_own_that_keep_their_former_urns(recorded):
    order, run = recorded
    regs = run.monitor.registrations
    stack = order.stack
    prefix = f"urn:pulumi:{stack}::aws-cicd-platform::aws-cicd-platform:components:Platform$aws-cicd-platform:components:"
    moved = {} if stack.startswith("prod-") else {
        "ArtifactAccess$aws:kms/keyPolicy:KeyPolicy::artifacts-key-policy":
            "ArtifactStore$aws:kms/keyPolicy:KeyPolicy::artifacts-key-policy",
        "ArtifactAccess$aws:s3/bucketPolicy:BucketPolicy::artifacts-bucket-policy":
            "ArtifactStore$aws:s3/bucketPolicy:BucketPolicy::artifacts-bucket-policy",
        "NotificationPublishers$aws:kms/keyPolicy:KeyPolicy::notifications-key-policy":
            "Notifications$aws:kms/keyPolicy:KeyPolicy::notifications-key-policy",
    }
    # The ECS services' registries (the foundation has none).
    for service in {"dev": ["web"], "prod-orders": ["orders"], "prod-payments": ["payments"],
                    "prod-catalog": ["catalog"]}.get(stack, []):
        moved[f"RegistryPull$aws:ecr/repositoryPolicy:RepositoryPolicy::{service}-registry-pull"] = \
            f"ContainerRegistry$aws:ecr/repositoryPolicy:RepositoryPolicy::{service}-registry-pull"
    assert moved or stack == "prod-notifier"
    for new, old in moved.items():
        assert regs[prefix + new].options["aliases"] == [prefix + old]

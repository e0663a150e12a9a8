"""The checks of provider-input-schema that run in preflight's own process, on the recorded inputs.

They read embedded documents (CodePipeline stages, ECS container definitions) and the AWS provider's
closed value sets. Unlike the SDK-type walk (preflight/schema/check.py, in the program host), they do
not depend on the provider package the program installed, but they need botocore, which preflight's
virtualenv has and a foreign program's may not: so they run here, never in the program's interpreter.
"""
from __future__ import annotations

import importlib
from typing import Any, Callable, Iterable, Optional

from preflight.schema.provider_enums import CLOSED_SETS, EnumSource, check_closed_sets
from preflight.schema.walk import UNKNOWN, plain

PIPELINE = "aws:codepipeline/pipeline:Pipeline"
TASK_DEFINITION = "aws:ecs/taskDefinition:TaskDefinition"
# resource type -> (input key, module, function): the document checks, imported when first needed.
DOCUMENT_CHECKS = {
    PIPELINE: ("stages", "preflight.schema.pipeline_actions", "check_pipeline_stages"),
    TASK_DEFINITION: ("containerDefinitions", "preflight.schema.container_definitions",
                      "check_container_definitions"),
}


class DocumentChecks:
    """findings [(urn, path, message)] and unchecked {what: reason} of the parent-side checks."""

    def __init__(self) -> None:
        self.findings: list[dict[str, str]] = []
        self.unchecked: dict[str, str] = {}
        self._enums = EnumSource()
        self._functions: dict[str, Optional[Callable]] = {}

    def run(self, resources: Iterable[Any]) -> "DocumentChecks":
        for resource in resources:
            if not resource.custom:
                continue
            self._closed_sets(resource)
            self._document(resource)
        return self

    def _closed_sets(self, resource: Any) -> None:
        if self._enums.error:
            if any(rtype == resource.type for rtype, _ in CLOSED_SETS):
                self.unchecked[f"{resource.type} (closed value sets)"] = self._enums.error
            return
        for path, message in check_closed_sets(resource.type, resource.inputs, self._enums):
            self.findings.append({"urn": resource.urn, "path": path, "message": message})

    def _document(self, resource: Any) -> None:
        spec = DOCUMENT_CHECKS.get(resource.type)
        if spec is None or spec[0] not in resource.inputs:
            return
        key, module_name, function_name = spec
        check = self._function(resource.type, module_name, function_name)
        if check is None:
            return
        known, value = plain(resource.inputs[key])
        document = value if known else UNKNOWN
        try:
            found = check(document)
        except Exception as e:  # noqa: BLE001 - one document's check failing must not lose the others
            self.unchecked[f"{resource.type} {key}"] = \
                f"the check failed on {resource.name}: {type(e).__name__}: {e}"
            return
        for path, message in found:
            self.findings.append({"urn": resource.urn, "path": _under(key, path), "message": message})
        self._unknown_action_types(resource, module_name, document)
        self._pipeline_type(resource, module_name, document)

    def _function(self, resource_type: str, module_name: str, function_name: str) -> Optional[Callable]:
        if module_name not in self._functions:
            function = None
            try:
                function = getattr(importlib.import_module(module_name), function_name)
            except ModuleNotFoundError as e:
                if e.name != module_name:       # the module is there but needs what is not installed
                    self.unchecked[f"{resource_type} {DOCUMENT_CHECKS[resource_type][0]}"] = \
                        f"{module_name} cannot be imported: {e}"
            except (ImportError, AttributeError) as e:
                self.unchecked[f"{resource_type} {DOCUMENT_CHECKS[resource_type][0]}"] = \
                    f"{module_name} cannot be imported: {e}"
            self._functions[module_name] = function
        return self._functions[module_name]

    def _unknown_action_types(self, resource: Any, module_name: str, stages: Any) -> None:
        """Action types the stages table has no entry for are named as unchecked, when the module can say."""
        if resource.type != PIPELINE:
            return
        unknown = getattr(importlib.import_module(module_name), "unknown_action_types", None)
        if unknown is None:
            return
        for action_type in unknown(stages):
            self.unchecked[f"{PIPELINE} stages action {action_type}"] = "no table entry for this action type"


    def _pipeline_type(self, resource: Any, module_name: str, stages: Any) -> None:
        """V2-only actions (Lambda deploy, Commands) in a pipeline whose pipelineType is not V2."""
        if resource.type != PIPELINE:
            return
        check = getattr(importlib.import_module(module_name), "check_pipeline_type", None)
        if check is None:
            return
        for path, message in check(resource.inputs.get("pipelineType"), stages):
            self.findings.append({"urn": resource.urn, "path": _under("stages", path), "message": message})


def _under(key: str, path: str) -> str:
    if not path:
        return key
    return f"{key}{path}" if path.startswith("[") else f"{key}.{path}"

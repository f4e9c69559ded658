"""Workflow state to JSON and back, without the process specs.

SpiffWorkflow's serializer embeds the whole spec in every instance; we keep specs once per
definition version (engine.definitions) and store only the task tree and data, which keeps
a finished instance small.
"""

from __future__ import annotations

import json
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.serializer.default.workflow import WorkflowConverter
from SpiffWorkflow.bpmn.serializer.workflow import VERSION
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG

_SERIALIZER = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(SPIFF_CONFIG))
_REGISTRY = _SERIALIZER.registry
# The registry keeps no handle on its converters; this one is the same class it registered.
_WORKFLOW_CONVERTER = SPIFF_CONFIG[BpmnWorkflow](BpmnWorkflow, _REGISTRY)


def registry() -> Any:
    """The serializer's converter registry (SpiffWorkflow's spec diff compares with it)."""
    return _REGISTRY


def dump(workflow: BpmnWorkflow) -> str:
    # Mirrors BpmnWorkflowConverter.to_dict, minus converting the specs.
    _REGISTRY._encoder_mode = True
    try:
        dct = WorkflowConverter.to_dict(_WORKFLOW_CONVERTER, workflow)
        dct["subprocesses"] = _WORKFLOW_CONVERTER.mapping_to_dict(workflow.subprocesses)
        dct["bpmn_events"] = _REGISTRY.convert(workflow.bpmn_events)
    finally:
        _REGISTRY._encoder_mode = False
    dct[BpmnWorkflowSerializer.VERSION_KEY] = VERSION
    return json.dumps(dct, cls=_SERIALIZER._encoder_cls, separators=(",", ":"))


def restore(state: str, spec: Any, subprocess_specs: dict[str, Any]) -> BpmnWorkflow:
    """Rebuild a workflow on the cached specs of its definition version."""
    dct = json.loads(state, cls=_SERIALIZER.json_decoder_cls)
    dct.pop(BpmnWorkflowSerializer.VERSION_KEY, None)
    # Mirrors BpmnWorkflowConverter.from_dict, minus restoring the specs.
    workflow = BpmnWorkflow(spec, subprocess_specs, deserializing=True)
    workflow.tasks = _WORKFLOW_CONVERTER.mapping_from_dict(dct["tasks"], UUID, workflow=workflow)
    workflow.task_tree = workflow.tasks.get(UUID(dct["root"]))
    _WORKFLOW_CONVERTER.set_default_attributes(workflow, dct)
    _WORKFLOW_CONVERTER.subprocesses_from_dict(dct["subprocesses"], workflow)
    workflow.bpmn_events = _REGISTRY.restore(dct.pop("bpmn_events", []))
    return workflow

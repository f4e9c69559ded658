"""Workflows kept in memory between changes, so the next change skips deserialising."""

from __future__ import annotations

import threading
from collections import OrderedDict

from SpiffWorkflow.bpmn.workflow import BpmnWorkflow


class WorkflowCache:
    """Workflows as left by this process's last commit, keyed by instance and lock version.

    A hit skips deserialising; the lock version makes a change by any other process a
    miss. `take` removes the entry, so a failed transaction can never leave a
    half-changed workflow behind, and two threads never share one.
    """

    def __init__(self, size: int = 2000) -> None:
        self.size = size
        self._entries: OrderedDict[int, tuple[int, BpmnWorkflow]] = OrderedDict()
        self._lock = threading.Lock()

    def take(self, instance_id: int, lock_version: int) -> BpmnWorkflow | None:
        with self._lock:
            entry = self._entries.pop(instance_id, None)
        if entry is None or entry[0] != lock_version:
            return None
        return entry[1]

    def put(self, instance_id: int, lock_version: int, workflow: BpmnWorkflow) -> None:
        with self._lock:
            self._entries[instance_id] = (lock_version, workflow)
            self._entries.move_to_end(instance_id)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)

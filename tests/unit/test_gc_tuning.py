"""The server's garbage-collector settings (issue 18), checked in a fresh interpreter: the test
process itself keeps the defaults."""

from __future__ import annotations

import json
import subprocess
import sys

from domain.runtime import gc_tuning

PROBE = """
import gc, json
import app  # the whole application imported, as the server has it at start-up
from domain.runtime.gc_tuning import tune_for_server
before = gc.get_freeze_count()
tune_for_server()
print(json.dumps({"before": before, "frozen": gc.get_freeze_count(), "threshold": gc.get_threshold()}))
"""


def test_start_up_objects_are_frozen_and_young_passes_are_rarer() -> None:
    out = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, check=True, timeout=120)
    state = json.loads(out.stdout.strip().splitlines()[-1])
    assert state["before"] == 0
    assert state["frozen"] > 100_000  # the imported application: far more than a bare interpreter
    assert tuple(state["threshold"]) == (gc_tuning.YOUNG_THRESHOLD, gc_tuning.MIDDLE_THRESHOLD,
                                         gc_tuning.OLD_THRESHOLD)
    assert gc_tuning.YOUNG_THRESHOLD > 700  # rarer than CPython's default

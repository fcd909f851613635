"""Python's garbage collector, set for a long-running server (issue 18).

At 150–300 open pages the collector's full passes paused the event loop for 0.3–0.6 s, a third
of the CPU of a burst of live updates: every pass walked the whole heap, most of it objects made
at start-up (modules, routes, the ORM's mappers) that live as long as the process. Freezing them
after start-up takes them out of every later pass; larger thresholds make the young passes rarer
(a page refresh allocates tens of thousands of short-lived objects, which reference counting frees
anyway — the collector is only needed for cycles).

Only the server calls this (`app.py`'s main): the test processes, which rebuild the app for every
test, keep the interpreter's defaults so that their garbage is collected as usual.
"""

from __future__ import annotations

import gc

#: Allocations (minus deallocations) between two young passes; CPython's default is 700.
YOUNG_THRESHOLD = 50_000
#: Young passes per middle pass, and middle passes per full pass (defaults 10 and 10).
MIDDLE_THRESHOLD = 20
OLD_THRESHOLD = 100


def tune_for_server() -> None:
    """Collect once, freeze what survives (start-up objects), and raise the thresholds."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(YOUNG_THRESHOLD, MIDDLE_THRESHOLD, OLD_THRESHOLD)

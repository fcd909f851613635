"""Fuzzing knobs shared by the API fuzz (tests/fuzz) and the normaliser's property tests
(tests/smartmoving/test_sm_normalise_properties.py). CI runs with neither set:

    FUZZ_EXAMPLES=200   more generated cases (default 5 per API operation, 20x that per property)
    FUZZ_SEED=1         other cases: random from this seed instead of the same derandomized ones
"""

from __future__ import annotations

import os

FUZZ_EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "5"))
FUZZ_SEED: int | None = int(os.environ["FUZZ_SEED"]) if os.environ.get("FUZZ_SEED") else None

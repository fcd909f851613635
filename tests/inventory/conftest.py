"""Fixtures of the inventory tests: the SmartMoving simulator over real HTTP."""

from tests.smartmoving.conftest import sim_state, sim_url  # noqa: F401 (fixtures)

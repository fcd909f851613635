"""The lock files pin every dependency pyproject.toml names, at a version its range admits: a
dependency added to pyproject without `make lock` fails here, not on a fresh machine."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def _pins(lock: str) -> dict[str, str]:
    pins = {}
    for line in (ROOT / lock).read_text(encoding="utf-8").splitlines():
        if match := re.match(r"^([A-Za-z0-9._-]+)(?:\[[^\]]*\])?==([^\s;]+)", line):
            pins[canonicalize_name(match[1])] = match[2]
    return pins


@pytest.mark.parametrize(("lock", "groups"), [
    ("requirements.lock", ["dependencies"]),
    ("requirements-test.lock", ["dependencies", "test"]),
])
def test_every_dependency_is_pinned_within_its_range(lock: str, groups: list[str]) -> None:
    pins = _pins(lock)
    wanted = [*PROJECT["dependencies"], *(PROJECT["optional-dependencies"]["test"] if "test" in groups else [])]
    problems = []
    for spec in map(Requirement, wanted):
        pinned = pins.get(canonicalize_name(spec.name))
        if pinned is None:
            problems.append(f"{spec.name} is not in {lock}")
        elif not spec.specifier.contains(pinned, prereleases=True):
            problems.append(f"{spec.name}=={pinned} is outside {spec.specifier}")
    assert problems == [], "run `make lock`: " + "; ".join(problems)

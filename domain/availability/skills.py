"""Skills and licences, and what a job or a truck asks of its crew.

The catalogue is fixed (codes stored in `user_skills.skill`, labels shown to people). What a job
needs is read from what the journey already says: its move size (truck size and crew size), its
service type and notes ("piano", "long distance"); what a truck needs from its driver from its size.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

LICENCE_DZ = "LICENCE_DZ"
PIANO = "PIANO"
LONG_DISTANCE = "LONG_DISTANCE"
PACKING = "PACKING"

#: Code → label, in the order forms list them.
SKILLS: Mapping[str, str] = MappingProxyType({
    LICENCE_DZ: "Class DZ licence (trucks of 26 ft and more)",
    PIANO: "Piano moving",
    LONG_DISTANCE: "Long distance",
    PACKING: "Packing",
})

#: Trucks this long or longer need a driver with a Class DZ licence.
DZ_TRUCK_FEET = 26

_FEET = re.compile(r"(\d+)")


@dataclass(frozen=True, slots=True)
class MoveNeeds:
    """What a move asks for: the smallest truck (feet), how many people, which skills on the crew."""

    truck_feet: int
    crew_size: int
    skills: frozenset[str]


#: Move size → (smallest truck in feet, crew size). Unknown sizes: DEFAULT_NEEDS.
_BY_MOVE_SIZE: Mapping[str, tuple[int, int]] = MappingProxyType({
    "studio": (16, 2), "1 bedroom": (16, 2), "storage unit": (16, 2),
    "2 bedroom": (20, 3), "3 bedroom": (26, 3), "4+ bedroom": (26, 4), "office": (26, 4),
})
DEFAULT_NEEDS = (16, 2)


def truck_feet(size: str | None) -> int:
    """A truck's length from its size ("26 ft" → 26); 0 when it says none."""
    match = _FEET.search(size or "")
    return int(match.group(1)) if match else 0


def driver_skills(truck_size: str | None) -> frozenset[str]:
    """What the driver of a truck of this size must hold."""
    return frozenset({LICENCE_DZ}) if truck_feet(truck_size) >= DZ_TRUCK_FEET else frozenset()


def move_needs(move_size: str | None, service_type: str | None, notes: str | None) -> MoveNeeds:
    feet, crew = _BY_MOVE_SIZE.get((move_size or "").strip().lower(), DEFAULT_NEEDS)
    words = f"{service_type or ''} {notes or ''}".lower()
    skills = {code for code, said in ((PIANO, "piano"), (LONG_DISTANCE, "long distance"), (PACKING, "packing"))
              if said in words}
    return MoveNeeds(feet, crew, frozenset(skills))


def skill_labels(codes: Iterable[str]) -> list[str]:
    """Labels of the known codes, in catalogue order (unknown codes are not shown)."""
    held = set(codes)
    return [label for code, label in SKILLS.items() if code in held]


def short_label(code: str) -> str:
    """The label without its explanation: "Class DZ licence"."""
    return SKILLS.get(code, code).split(" (")[0]

"""One row per figure, shared by the company-scale benchmark's sections: printed as a table and
written as JSON, each with its target (if the issue sets one) and whether it was met."""

from __future__ import annotations

import json
import platform
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path


@dataclass(frozen=True, slots=True)
class Figure:
    section: str
    name: str
    value: float
    unit: str
    #: e.g. "< 50 ms"; empty when the figure is reported without a target.
    target: str = ""
    #: None when there is no target.
    met: bool | None = None


def at_most(section: str, name: str, value: float, unit: str, limit: float) -> Figure:
    return Figure(section, name, round(value, 2), unit, f"<= {limit:g} {unit}", value <= limit)


def at_least(section: str, name: str, value: float, unit: str, floor: float) -> Figure:
    return Figure(section, name, round(value, 2), unit, f">= {floor:g} {unit}", value >= floor)


def reported(section: str, name: str, value: float, unit: str) -> Figure:
    return Figure(section, name, round(value, 2), unit)


def percentile(samples: Sequence[float], fraction: float) -> float:
    """Nearest-rank percentile (fraction in 0..1) of a non-empty sample."""
    ordered = sorted(samples)
    index = max(0, min(len(ordered) - 1, round(fraction * len(ordered) + 0.5) - 1))
    return ordered[index]


def _number(value: float) -> str:
    """Counts in full (730000, not 7.3e+05), other values in their shortest form."""
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def table(figures: Sequence[Figure]) -> str:
    header = ("section", "figure", "value", "target", "met")
    rows = [(f.section, f.name, f"{_number(f.value)} {f.unit}", f.target,
             "" if f.met is None else ("yes" if f.met else "NO")) for f in figures]
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    lines = [" | ".join(str(c).ljust(w) for c, w in zip(r, widths, strict=True)) for r in [header, *rows]]
    lines.insert(1, "-+-".join("-" * w for w in widths))
    return "\n".join(lines)


def write_json(figures: Sequence[Figure], path: Path, **context: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = {"measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
               "machine": {"python": platform.python_version(), "platform": platform.platform()},
               **context, "figures": [asdict(f) for f in figures]}
    path.write_text(json.dumps(payload, indent=2) + "\n")

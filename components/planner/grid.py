"""The planner's grid as one HTML string per view: a row per truck and per person, jobs as blocks
placed by their local times, days off shaded with the reason, a "now" line.

One string (not an element per block) keeps a week of 600 jobs cheap to send and to draw; the
blocks are wired by `planner.js` (drag, drop, keyboard) through data attributes. Every text from
the database is escaped here."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from html import escape

from db.enums import JourneyStatus
from domain.availability.skills import short_label
from domain.journeys.labels import plain_words
from domain.planner.views import Planner, PlannerJob, PlannerRow, View

#: Local hours always shown; the axis widens to cover every job.
FIRST_HOUR, LAST_HOUR = 6, 22

#: Block colours (white text on each is at least 4.5:1).
_STATUS_CLASS = {
    JourneyStatus.SCHEDULED: "pl-s-open", JourneyStatus.MORNING_PREP: "pl-s-live", JourneyStatus.EN_ROUTE: "pl-s-live",
    JourneyStatus.ONSITE: "pl-s-live", JourneyStatus.COMPLETED: "pl-s-done", JourneyStatus.AUDITED: "pl-s-done",
    JourneyStatus.CANCELLED: "pl-s-done",
}

STYLE = """
.pl-grid{position:relative;min-width:900px;font-size:13px}
.pl-row{display:flex;border-bottom:1px solid #d0d0d0;min-height:44px}
.pl-label{width:12rem;flex-shrink:0;padding:4px 8px;display:flex;flex-direction:column;justify-content:center}
.pl-label small{color:#555}
.pl-lane{position:relative;flex:1;min-height:44px}
.pl-head .pl-lane{min-height:22px}
.pl-hour,.pl-dayname{position:absolute;top:2px;color:#444;font-size:12px;white-space:nowrap}
.pl-dayname{font-weight:600;color:#222}
.pl-line{position:absolute;top:0;bottom:0;border-left:1px solid #e4e4e4}
.pl-line.pl-day{border-left:2px solid #9e9e9e}
.pl-section{padding:6px 8px;font-weight:600;background:#f3f3f3;border-bottom:1px solid #d0d0d0}
.pl-job{position:absolute;top:4px;bottom:4px;border-radius:4px;padding:1px 4px;color:#fff;overflow:hidden;
  white-space:nowrap;text-overflow:ellipsis;cursor:grab;min-width:6px;line-height:18px}
.pl-job:focus{outline:3px solid #000;outline-offset:1px;z-index:3}
.pl-s-open{background:#1a5091}.pl-s-live{background:#5b2c8f}.pl-s-done{background:#2d6130;cursor:default}
.pl-job.pl-missing{box-shadow:inset 0 0 0 3px #ffd166}
.pl-off{position:absolute;top:0;bottom:0;background:repeating-linear-gradient(45deg,#f6e0c8 0 6px,#fbefe2 6px 12px);
  color:#5c2e00;font-size:11px;padding:2px 4px;overflow:hidden;white-space:nowrap;text-overflow:ellipsis}
.pl-now{position:absolute;top:0;bottom:0;width:0;border-left:2px solid #b00020;z-index:4;pointer-events:none}
.pl-now span{position:absolute;top:0;left:2px;background:#b00020;color:#fff;font-size:11px;padding:0 3px}
.pl-person{cursor:grab}
.pl-person:focus,.pl-over{outline:3px dashed #1a5091;outline-offset:-3px}
.pl-refusal{position:absolute;right:4px;top:2px;z-index:5;background:#fff;color:#b00020;border:2px solid #b00020;
  border-radius:4px;padding:2px 6px;font-size:12px;max-width:70%;white-space:normal}
"""


def hour_span(jobs: Iterable[PlannerJob]) -> tuple[int, int]:
    """[first, last) local hours: FIRST_HOUR–LAST_HOUR, widened to every job's times."""
    first, last = FIRST_HOUR, LAST_HOUR
    for job in jobs:
        first = min(first, job.start.hour)
        ends_next_day = job.end.date() > job.day
        last = 24 if ends_next_day else max(last, job.end.hour + (1 if job.end.minute else 0))
    return first, last


class Scale:
    """Where a local time of one of the view's days lies across the lane, in percent."""

    def __init__(self, days: Sequence[date], first_hour: int, last_hour: int) -> None:
        self.days, self.first, self.last = list(days), first_hour, last_hour

    def at(self, day: date, moment: datetime | None) -> float:
        index = self.days.index(day)
        if moment is None or moment.date() > day:
            hours = float(self.last - self.first)
        else:
            hours = min(max(moment.hour + moment.minute / 60 - self.first, 0.0), float(self.last - self.first))
        return (index + hours / (self.last - self.first)) / len(self.days) * 100

    def day_left(self, day: date) -> float:
        return self.days.index(day) / len(self.days) * 100


def _job_block(job: PlannerJob, scale: Scale, where: str, location: str) -> str:
    left, right = scale.at(job.day, job.start), scale.at(job.day, job.end)
    width = max(right - left, 0.4)
    missing = job.missing
    classes = f"pl-job {_STATUS_CLASS[job.status]}{' pl-missing' if missing else ''}"
    title = " · ".join(x for x in (job.label, job.customer, f"{job.start:%a %d %b} {job.time_label}", location,
                                   plain_words(job.status.value), missing and f"Needs {missing}") if x)
    drag = "" if job.closed else ' draggable="true"'
    return (f'<div class="{classes}" role="button" tabindex="0" data-job="{job.id}"{drag} '
            f'data-testid="pl-job-{job.id}-{where}" style="left:{left:.3f}%;width:{width:.3f}%" '
            f'title="{escape(title)}" aria-label="{escape(title)}">{escape(job.label)} · {escape(job.customer)}</div>')


def _off_blocks(row: PlannerRow, scale: Scale) -> str:
    parts = []
    for day, period in row.off.items():
        said = escape(f"Off: {period.describe()}")
        parts.append(f'<div class="pl-off" style="left:{scale.day_left(day):.3f}%;width:{100 / len(scale.days):.3f}%"'
                     f' title="{said}" data-testid="pl-off-{row.kind}-{row.id}-{day.isoformat()}">{said}</div>')
    return "".join(parts)


def _lines(scale: Scale) -> str:
    parts = []
    for day in scale.days:
        parts.append(f'<div class="pl-line pl-day" style="left:{scale.day_left(day):.3f}%"></div>')
        if len(scale.days) == 1:
            for hour in range(scale.first + 1, scale.last):
                left = (hour - scale.first) / (scale.last - scale.first) * 100
                parts.append(f'<div class="pl-line" style="left:{left:.3f}%"></div>')
    return "".join(parts)


def _header(scale: Scale, view: View) -> str:
    marks = []
    if view is View.DAY:
        for hour in range(scale.first, scale.last, 2 if scale.last - scale.first > 14 else 1):
            left = (hour - scale.first) / (scale.last - scale.first) * 100
            marks.append(f'<span class="pl-hour" style="left:{left:.3f}%">{hour:02d}:00</span>')
    else:
        for day in scale.days:
            marks.append(f'<span class="pl-dayname" style="left:calc({scale.day_left(day):.3f}% + 4px)">'
                         f'{day:%a} {day.day} {day:%b}</span>')
    return (f'<div class="pl-row pl-head"><div class="pl-label"><small>{scale.first:02d}:00–{scale.last:02d}:00, '
            f'local time</small></div><div class="pl-lane">{"".join(marks)}</div></div>')


def _row(row: PlannerRow, jobs: list[PlannerJob], scale: Scale, planner: Planner, label_extra: str,
         editable: bool) -> str:
    location = planner.location_name(row.location_id)
    detail = " · ".join(x for x in (row.detail, location, *map(short_label, sorted(row.skills))) if x)
    said = f"{escape(row.name)}, {escape(detail)}{label_extra}" + (
        ". Enter: availability" if editable else "")
    focusable = ' tabindex="0" role="button"'
    opens = f'{focusable} data-availability="{row.kind}:{row.id}"' if editable else ""
    if row.kind == "truck":
        named = f' aria-label="{said}"' if editable else ""
        head = (f'<div class="pl-label"{opens}{named} data-testid="pl-truck-label-{row.id}">'
                f'<b>{escape(row.name)}</b><small>{escape(detail)}</small></div>')
        attrs = f'data-drop-truck="{row.id}" data-testid="pl-truck-{row.id}"'
    else:
        head = (f'<div class="pl-label pl-person" draggable="true" data-person="{row.id}"'
                f'{opens or focusable} aria-label="{said}" '
                f'data-testid="pl-person-{row.id}"><b>{escape(row.name)}</b><small>{escape(detail)}</small></div>')
        attrs = f'data-testid="pl-person-row-{row.id}"'
    where = f"t{row.id}" if row.kind == "truck" else f"p{row.id}"
    blocks = "".join(_job_block(job, scale, where, planner.location_name(job.location_id)) for job in jobs
                     if job.day in scale.days)
    return f'<div class="pl-row" {attrs}>{head}<div class="pl-lane">{_lines(scale)}{_off_blocks(row, scale)}' \
           f'{blocks}</div></div>'


def now_left(planner: Planner, scale: Scale) -> float | None:
    """Where the "now" line lies across the lane (percent), or None when today is not shown."""
    now = planner.now
    if now.date() not in scale.days or not scale.first <= now.hour < scale.last:
        return None
    return scale.at(now.date(), now)


def grid_html(planner: Planner, *, editable: bool = False) -> str:
    """`editable`: the row names open the person's or truck's availability (MANAGE_AVAILABILITY)."""
    scale = Scale(planner.days, *hour_span(planner.jobs))
    by_truck, by_person = planner.jobs_by_truck(), planner.jobs_by_person()
    parts = [_header(scale, planner.view), '<div class="pl-section">Trucks</div>']
    parts += [_row(row, by_truck.get(row.id, []), scale, planner, "", editable) for row in planner.trucks]
    if not planner.trucks:
        parts.append('<div class="pl-row"><div class="pl-label">No trucks at these branches.</div></div>')
    parts.append('<div class="pl-section">People</div>')
    parts += [_row(row, by_person.get(row.id, []), scale, planner, ". Drag onto a job to add to its crew", editable)
              for row in planner.people]
    if not planner.people:
        parts.append('<div class="pl-row"><div class="pl-label">No drivers or movers at these branches.</div></div>')
    left = now_left(planner, scale)
    if left is not None:
        position = f"left:calc(12rem + (100% - 12rem) * {left / 100:.5f})"
        parts.append(f'<div class="pl-now" data-testid="pl-now" style="{position}">'
                     f'<span>Now {planner.now:%H:%M}</span></div>')
    return f'<div class="pl-grid" data-testid="planner-grid">{"".join(parts)}</div>'


def unplaced_html(planner: Planner) -> str:
    """The jobs still missing a truck or a crew, by time: drag one onto a truck, a person onto one,
    or press Enter on one to choose in the Assign dialog."""
    entries = []
    for job in sorted(planner.unplaced, key=lambda j: (j.start, j.id)):
        where = planner.location_name(job.location_id)
        entries.append(
            f'<div class="pl-card" role="button" tabindex="0" draggable="true" data-job="{job.id}" '
            f'data-testid="pl-unplaced-{job.id}" aria-label="{escape(job.label)}, {escape(job.customer)}, '
            f'needs {escape(job.missing or "")}"><b>{escape(job.label)}</b> · {escape(job.customer)}<br>'
            f'<small>{job.start:%a} {job.start.day} {job.start:%b} {job.time_label} · {escape(where)}</small><br>'
            f'<small class="pl-needs">Needs {escape(job.missing or "")}</small></div>')
    if not entries:
        entries.append('<div class="pl-card-empty">Every job has a truck and a crew.</div>')
    return f'<div class="pl-unplaced" data-testid="planner-unplaced">{"".join(entries)}</div>'


UNPLACED_STYLE = """
.pl-card{padding:6px 8px;border-bottom:1px solid #ddd;cursor:grab;font-size:13px;min-height:48px}
.pl-card:focus{outline:3px solid #000;outline-offset:-3px}
.pl-card small{color:#444}.pl-card .pl-needs{color:#8a3b00}
.pl-card-empty{padding:8px;color:#444}
"""

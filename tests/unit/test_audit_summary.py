"""The audit page's one-line summary of an entry's old and new values."""

from __future__ import annotations

from pages.audit import SUMMARY_LENGTH, change_summary


def test_changes_come_first_and_unchanged_values_show_without_an_arrow() -> None:
    old = {"phase": "PICKUP", "status": "IN_PROGRESS", "completed_at": None}
    new = {"phase": "PICKUP", "status": "COMPLETED", "completed_at": "2026-11-20T10:00:00", "progress": 50}
    assert change_summary(old, new) == ("status: IN_PROGRESS → COMPLETED; completed_at:  → 2026-11-20T10:00:00; "
                                        "phase: PICKUP; progress: 50")


def test_a_created_record_lists_its_values_and_a_removed_one_its_old_values() -> None:
    assert change_summary(None, {"name": "Calgary", "phone": None}) == "name: Calgary; phone: "
    assert change_summary({"name": "Calgary"}, None) == "name: Calgary → "


def test_a_long_summary_is_cut_to_the_cell() -> None:
    summary = change_summary({"notes": ""}, {"notes": "x" * 500})
    assert len(summary) == SUMMARY_LENGTH and summary.endswith("…")

"""The audit trail in words: names for ids, local 24-hour times, plain words for enums."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from domain.audit.words import CHANGES_LENGTH, Names, action_words, change_words, entity_words

NAMES = Names(trucks={140: "TOR-2101"}, people={5: "Noah Anderson", 6: "Mia Chen"}, locations={3: "Toronto Downtown"})


def test_an_assignment_reads_as_names_not_ids() -> None:
    old = {"truck_id": None, "crew": []}
    new = {"truck_id": 140, "crew": [{"user_id": 5, "role": "DRIVER"}]}
    assert change_words(old, new, NAMES) == "Truck: none → TOR-2101; crew: + Noah Anderson (driver)"


def test_crew_changes_list_who_joined_and_who_left() -> None:
    old = {"crew": [{"user_id": 5, "role": "DRIVER"}]}
    new = {"crew": [{"user_id": 6, "role": "MOVER"}]}
    assert change_words(old, new, NAMES) == "crew: + Mia Chen (mover), − Noah Anderson (driver)"


def test_changes_come_first_then_context_with_local_times_and_plain_enums() -> None:
    old = {"phase": "PICKUP", "status": "IN_PROGRESS", "completed_at": None}
    new = {"phase": "PICKUP", "status": "COMPLETED", "completed_at": "2026-11-20T15:00:00+00:00", "progress": 50}
    text = change_words(old, new, NAMES, ZoneInfo("America/Toronto"))
    assert text == "status: in progress → completed; completed: none → 20 Nov 2026 10:00; phase: Pickup; progress: 50"
    assert "T15:00" not in text and "IN_PROGRESS" not in text


def test_an_unknown_id_does_not_show_the_number() -> None:
    assert change_words({"truck_id": 999}, {"truck_id": 140}, NAMES) == "Truck: a removed record → TOR-2101"


def test_a_long_text_is_cut() -> None:
    text = change_words({"notes": ""}, {"notes": "x" * 500})
    assert len(text) == CHANGES_LENGTH and text.endswith("…")


def test_actions_and_entities_read_as_words() -> None:
    assert action_words("phase.item_recorded") == "Item recorded"
    assert entity_words("journey_step") == "Journey phase"
    assert action_words("something.new_here") == "Something new here"

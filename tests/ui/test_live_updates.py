"""Live updates between NiceGUI clients: a change saved in one page shows in another without a
reload; events outside a page's scope never reach it; closed pages leave no subscription."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from nicegui import Client, ui
from nicegui.testing import User
from sqlalchemy import select

from components.live import MAX_CONCURRENT_REFRESHES, on_event, on_events, whole_page
from db.models import AuditEntry, Journey, Location, User as UserRow
from db.seed import DEMO_PASSWORD
from domain.events.bus import DomainEvent, EventType, bus
from domain.unit_of_work import read_session
from pages.access.session import current_principal
from tests.conftest import PATIENCE_SECONDS


async def _signed_in(user: User, email: str) -> None:
    """Sign in and wait until the login page has sent the user to their home page."""
    await user.open("/login")
    user.find(marker="email").type(email)
    user.find(marker="password").type(DEMO_PASSWORD)
    user.find(marker="sign-in").click()
    for _ in range(int(PATIENCE_SECONDS / 0.05)):  # 5 s was not always enough on a busy machine (-n 2 beside benches)
        if user.back_history[-1] != "/login":
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"{email} was not signed in")


async def _journey_of(email: str) -> tuple[Journey, UserRow]:
    """A journey at one of the locations `email` works on, and that user."""
    async with read_session() as session:
        user = await session.scalar(select(UserRow).where(UserRow.email == email))
        assert user is not None
        location_ids = [link.location_id for link in user.location_links]
        journey = await session.scalar(
            select(Journey).where(Journey.location_id.in_(location_ids)).order_by(Journey.id).limit(1)
        )
        assert journey is not None
        return journey, user


async def test_a_note_saved_in_one_browser_appears_in_another_without_reload(
    demo: str, create_user: Callable[[], User]
) -> None:
    journey, _ = await _journey_of("dispatcher@demo.ccrm")
    editor, viewer = create_user(), create_user()
    await _signed_in(editor, "dispatcher@demo.ccrm")
    await _signed_in(viewer, "manager@demo.ccrm")
    page = f"/journeys/{journey.id}/status"
    viewer_client = await viewer.open(page)
    await editor.open(page)
    await viewer.should_not_see("Gate code 4411, use the rear lift")

    editor.find(marker="notes-input").clear().type("Gate code 4411, use the rear lift")
    editor.find(marker="save-notes").click()

    await viewer.should_see("Gate code 4411, use the rear lift", retries=30)
    assert viewer.client is viewer_client  # the same page, updated in place
    async with read_session() as session:
        entry = await session.scalar(select(AuditEntry).where(AuditEntry.entity == "journey",
                                                              AuditEntry.entity_id == str(journey.id)))
    assert entry is not None and entry.new_values == {"notes": "Gate code 4411, use the rear lift"}


async def test_a_dispatcher_cannot_save_notes_on_an_out_of_scope_journey(demo: str, user: User) -> None:
    _, dispatcher = await _journey_of("dispatcher@demo.ccrm")
    async with read_session() as session:
        mine = [link.location_id for link in dispatcher.location_links]
        other = await session.scalar(select(Journey).where(Journey.location_id.not_in(mine)).limit(1))
    assert other is not None
    await _signed_in(user, "dispatcher@demo.ccrm")
    await user.open(f"/journeys/{other.id}/status")
    await user.should_see("Journey not found.")
    await user.should_not_see(marker="notes-input")


def _register_probe_page(seen: list[DomainEvent]) -> None:
    """A page that records every event its client is handed, scoped to the signed-in principal."""

    @ui.page("/probe")
    async def probe() -> None:
        principal = await current_principal()
        assert principal is not None
        count = ui.label("events: 0").mark("count")

        def record(event: DomainEvent) -> None:
            seen.append(event)
            count.set_text(f"events: {len(seen)}")

        on_event(lambda _event: True, record, principal=principal)


async def test_a_page_receives_only_events_in_its_users_scope(demo: str, user: User) -> None:
    journey, dispatcher = await _journey_of("dispatcher@demo.ccrm")
    async with read_session() as session:
        mine = {link.location_id for link in dispatcher.location_links}
        elsewhere = await session.scalar(select(Location.id).where(Location.id.not_in(mine)).limit(1))
    seen: list[DomainEvent] = []
    _register_probe_page(seen)
    await _signed_in(user, "dispatcher@demo.ccrm")
    await user.open("/probe")

    other_company = DomainEvent(EventType.JOURNEY_CHANGED, journey.company_id + 1000, journey.location_id, 9_999_001)
    other_location = DomainEvent(EventType.JOURNEY_CHANGED, journey.company_id, elsewhere, 9_999_002)
    system_wide = DomainEvent(EventType.SYNC_FINISHED, None)
    own = DomainEvent(EventType.PHASE_COMPLETED, journey.company_id, journey.location_id, journey.id)
    for event in (other_company, other_location, system_wide, own):
        await bus.publish(event)

    await user.should_see("events: 1", retries=30)
    await asyncio.sleep(0.2)  # anything wrongly delivered would have arrived by now
    assert [e.journey_id for e in seen] == [journey.id]


async def test_crew_pages_receive_only_events_naming_them(demo: str, user: User) -> None:
    journey, driver = await _journey_of("driver@demo.ccrm")
    seen: list[DomainEvent] = []
    _register_probe_page(seen)
    await _signed_in(user, "driver@demo.ccrm")
    await user.open("/probe")

    await bus.publish(DomainEvent(EventType.CREW_ASSIGNED, journey.company_id, journey.location_id, 9_999_003,
                                  user_ids=(driver.id + 1,)))
    await bus.publish(DomainEvent(EventType.CREW_ASSIGNED, journey.company_id, journey.location_id, journey.id,
                                  user_ids=(driver.id,)))

    await user.should_see("events: 1", retries=30)
    assert [e.journey_id for e in seen] == [journey.id]


async def test_closing_pages_ends_their_subscriptions(demo: str, user: User) -> None:
    journey, _ = await _journey_of("dispatcher@demo.ccrm")
    await _signed_in(user, "dispatcher@demo.ccrm")
    before = bus.subscriber_count
    pages = 12
    clients: list[Client] = [await user.open(f"/journeys/{journey.id}/status") for _ in range(pages)]
    assert bus.subscriber_count == before + 2 * pages  # its live updates, and the sign-out when sessions end

    for client in clients:  # what socket.io does when each tab closes
        for socket_id in list(client._socket_to_document_id):
            client.handle_disconnect(socket_id)
    reconnect_timeout = clients[0].page.resolve_reconnect_timeout()
    for _ in range(int((reconnect_timeout + 3) * 10)):
        if bus.subscriber_count == before:
            break
        await asyncio.sleep(0.1)

    assert all(client.is_deleted for client in clients)
    assert bus.subscriber_count == before


def _register_batch_probe(batches: list[list[DomainEvent]], newest: list[DomainEvent],
                          release: asyncio.Event) -> None:
    """A page with two subscriptions: one records the batches it is handed (and holds its first
    refresh until `release`), the other collapses every batch to its newest event."""

    @ui.page("/batch-probe")
    async def probe() -> None:
        principal = await current_principal()
        assert principal is not None

        async def record(events: list[DomainEvent]) -> None:
            batches.append(events)
            await release.wait()

        on_events(lambda _event: True, record, principal=principal)
        on_event(lambda _event: True, newest.append, principal=principal, collapse=whole_page)


async def _until(condition: Callable[[], bool]) -> None:
    for _ in range(200):
        if condition():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the page never got there")


async def test_a_burst_of_events_reaches_a_page_as_few_refreshes_in_order(demo: str, user: User) -> None:
    journey, _ = await _journey_of("dispatcher@demo.ccrm")
    batches: list[list[DomainEvent]] = []
    newest: list[DomainEvent] = []
    release = asyncio.Event()
    _register_batch_probe(batches, newest, release)
    await _signed_in(user, "dispatcher@demo.ccrm")
    await user.open("/batch-probe")

    def changed(n: int) -> DomainEvent:
        return DomainEvent(EventType.JOURNEY_CHANGED, journey.company_id, journey.location_id, journey.id,
                           data={"n": n})

    for n in range(40):  # a sync's write batch: published back to back
        await bus.publish(changed(n))
    await _until(lambda: len(batches) == 1 and len(newest) == 1)
    for n in range(40, 50):  # arrive while the page is still busy with the first refresh
        await bus.publish(changed(n))
    release.set()
    await _until(lambda: sum(len(b) for b in batches) == 50 and len(newest) == 2)

    assert [len(b) for b in batches] == [40, 10]  # two refreshes, not fifty
    assert [e.data["n"] for b in batches for e in b] == list(range(50))  # none lost, none reordered
    assert [e.data["n"] for e in newest] == [39, 49]  # a whole-page refresh sees only the newest


async def test_at_most_a_few_pages_refresh_at_once_and_the_others_wait_their_turn(demo: str, user: User) -> None:
    running: list[int] = [0]
    most: list[int] = [0]
    done: list[int] = []
    release = asyncio.Event()

    @ui.page("/slow-probe")
    async def probe() -> None:
        principal = await current_principal()
        assert principal is not None

        async def refresh(_events: list[DomainEvent]) -> None:  # a refresh holding its database read
            running[0] += 1
            most[0] = max(most[0], running[0])
            await release.wait()
            running[0] -= 1
            done.append(1)

        on_events(lambda _event: True, refresh, principal=principal)

    journey, _ = await _journey_of("dispatcher@demo.ccrm")
    await _signed_in(user, "dispatcher@demo.ccrm")
    pages = MAX_CONCURRENT_REFRESHES + 3
    for _ in range(pages):
        await user.open("/slow-probe")
    await bus.publish(DomainEvent(EventType.JOURNEY_CHANGED, journey.company_id, journey.location_id, journey.id))
    await _until(lambda: running[0] == MAX_CONCURRENT_REFRESHES)
    await asyncio.sleep(0.3)  # the others had their chance to start, and did not
    assert most[0] == MAX_CONCURRENT_REFRESHES
    release.set()
    await _until(lambda: len(done) == pages)  # every page refreshed in its turn, none dropped
    assert most[0] == MAX_CONCURRENT_REFRESHES

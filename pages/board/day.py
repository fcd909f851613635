"""The dispatcher board `/board`: one location of the user's scope on one day — stats, filters,
job cards, the Assign and New journey dialogs — kept live by domain events.

Managers, admins and auditors use the same board within their own scope (auditors read only);
admins also see company-wide figures and a chart of jobs per day. Live updates re-read only the
affected card and the stats through the domain with this page's principal (reads shared with the
pages that show the same thing, `domain.runtime.shared_reads`), and patch the page in place: the
grid is rebuilt only when the user changes the location, day or filters (issue 18).

`/dashboard` and `/dashboard/timeline`, the board's old addresses, redirect here (old bookmarks)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date

from fastapi import Request
from fastapi.responses import RedirectResponse
from nicegui import ui

from components.admin.overview import CompanyOverviewPanel
from components.board.assign_dialog import open_assign_dialog
from components.board.controls import LocationDayPage, open_location_page
from components.board.job_card import job_card, refill_job_card
from components.board.stats_tiles import StatsTiles
from components.journeys.form import open_journey_form
from components.live import on_events
from components.sync.attention import attention_entries
from db.enums import DataSource, JourneyStatus
from domain.access.locations import LocationOption
from domain.access.rbac import Permission, Principal
from domain.board.cards import CardFilters, JobCard
from domain.board.views import Board, BoardStats, board_attention, board_card, board_stats, load_board
from domain.errors import DomainError
from domain.events.bus import DomainEvent
from domain.events.touched import touched
from domain.journeys.labels import status_label
from domain.paging import MAX_SEARCH_LENGTH
from domain.workflow import phases as workflow
from domain.sync.attention import AttentionItem, resolve_attention
from pages.access.session import guarded_page
from pages.board import timeline
from pages.journeys import detail as journey_page

#: Journeys one live update patches card by card; more are re-read as a whole board.
PATCH_AT_MOST = 12

NOTHING_MATCHES = "No journeys match."


class BoardPage(LocationDayPage):
    def __init__(self, principal: Principal, locations: list[LocationOption], location_id: int,
                 day: date | None, filters: CardFilters = CardFilters()) -> None:
        super().__init__(principal, locations, location_id, day)
        self.filters = filters
        self.cards: dict[int, ui.card] = {}
        #: What each card shows (a card whose data did not change is not refilled).
        self.shown: dict[int, JobCard] = {}
        self.tiles: StatsTiles | None = None
        self.overview_panel: CompanyOverviewPanel | None = None
        self.on_assign = self.assign if principal.can(Permission.ASSIGN_CREW) else None
        self.on_hand_over = self.hand_over if principal.can(Permission.ASSIGN_CREW) else None
        with ui.column().classes("w-full q-pa-md gap-3"):
            with ui.row().classes("w-full items-center justify-between"):
                ui.label("Dispatch board").classes("text-h5").props('data-testid="page-title"')
                with ui.row().classes("gap-2"):
                    ui.button("Timeline", icon="view_timeline", on_click=self.open_timeline).props(
                        "outline no-caps")
                    if principal.can(Permission.EDIT_JOBS):
                        ui.button("New journey", icon="add", on_click=self.new_journey).props(
                            'unelevated no-caps color=primary data-testid="new-journey"').mark("new-journey")
            self.controls = ui.row().classes("w-full")
            if principal.can(Permission.MANAGE_COMPANY):
                self.overview = ui.column().classes("w-full")
            self.stats = ui.row().classes("w-full")
            self.attention = ui.column().classes("w-full gap-1").props('data-testid="needs-attention"')
            self._filters_row()
            self.empty = ui.label(NOTHING_MATCHES).classes("text-grey-7").props('data-testid="empty"')
            self.grid = ui.element("div").classes(
                "w-full grid gap-3 grid-cols-1 md:grid-cols-2 xl:grid-cols-3").props('data-testid="cards"')

    def _filters_row(self) -> None:
        f = self.filters
        with ui.row().classes("w-full items-center gap-3"):
            ui.select({s.value: status_label(s) for s in JourneyStatus}, multiple=True, clearable=True,
                      label="Status", value=sorted(s.value for s in f.statuses),
                      on_change=lambda e: self.set_filter(statuses=frozenset(
                          JourneyStatus(v) for v in e.value or ()))).props(
                "outlined dense options-dense use-chips").classes("min-w-[200px]").mark("filter-status")
            ui.toggle({"": "All", DataSource.SMARTMOVING.value: "SmartMoving", DataSource.MANUAL.value: "Manual"},
                      value=f.data_source.value if f.data_source else "", on_change=lambda e: self.set_filter(
                          data_source=DataSource(e.value) if e.value else None)).props(
                "no-caps dense").mark("filter-source")
            ui.switch("Unassigned only", value=f.unassigned_only,
                      on_change=lambda e: self.set_filter(unassigned_only=bool(e.value))).mark("filter-unassigned")
            ui.input(placeholder="Search customer, job number, address", value=f.search,
                     on_change=lambda e: self.set_filter(search=(e.value or "")[:MAX_SEARCH_LENGTH])).props(
                f"outlined dense clearable debounce=300 maxlength={MAX_SEARCH_LENGTH}").classes(
                "min-w-[280px] flex-1").mark("search")

    def query(self) -> dict[str, str]:
        return {**super().query(), **filter_query(self.filters)}

    async def set_filter(self, **changes: object) -> None:
        current = {f: getattr(self.filters, f) for f in ("statuses", "unassigned_only", "data_source", "search")}
        self.filters = CardFilters(**{**current, **changes})
        await self.reload()

    async def load(self) -> Board:
        """Everything for the current location, day and filters (a fixed number of queries)."""
        return await load_board(self.principal, self.location_id, self.day, self.filters)

    async def show(self, board: Board) -> None:
        """The board for a new location, day or filters: the grid is built anew."""
        self._show_stats(board.stats)
        await self._show_attention()
        if self.principal.can(Permission.MANAGE_COMPANY) and self.overview_panel is None:
            with self.overview:  # company-wide: the same whatever the location, day or filters
                self.overview_panel = await CompanyOverviewPanel.create(self.principal)
        self.grid.clear()
        self.cards, self.shown = {}, {}
        with self.grid:
            for card in board.cards:
                self._add_card(card)
        self.empty.set_text(NOTHING_MATCHES)
        self.empty.set_visibility(not self.cards)

    def _add_card(self, card: JobCard) -> None:
        """A new card at the end of the current container (the grid)."""
        self.cards[card.id] = job_card(card, self.on_assign, self.on_hand_over)
        self.shown[card.id] = card

    def _patch_card(self, card: JobCard) -> None:
        """Refill a shown card, unless it shows this already."""
        if self.shown.get(card.id) != card:
            refill_job_card(self.cards[card.id], card, self.on_assign, self.on_hand_over, self.shown.get(card.id))
            self.shown[card.id] = card

    def _drop_card(self, journey_id: int) -> None:
        self.cards.pop(journey_id).delete()
        self.shown.pop(journey_id, None)

    def _patch_cards(self, cards: tuple[JobCard, ...]) -> None:
        """Make the grid show `cards`, in order, touching only what differs: gone cards are
        deleted, changed ones refilled, new ones added, and cards moved only if out of order."""
        wanted = {card.id for card in cards}
        for journey_id in [j for j in self.cards if j not in wanted]:
            self._drop_card(journey_id)
        for card in cards:
            if card.id in self.cards:
                self._patch_card(card)
            else:
                with self.grid:
                    self._add_card(card)
        order = [self.cards[card.id] for card in cards]
        for index, element in enumerate(order):
            if self.grid.default_slot.children[index] is not element:
                element.move(self.grid, index)
        self.empty.set_visibility(not self.cards)

    def show_refusal(self, message: str) -> None:
        """A refused search or filter empties the grid and says why: cards of the previous filter
        left on screen would look like its results."""
        super().show_refusal(message)
        self.grid.clear()
        self.cards, self.shown = {}, {}
        self.empty.set_text(message)
        self.empty.set_visibility(True)

    def _show_stats(self, stats: BoardStats) -> None:
        if self.tiles is None:
            with self.stats:
                self.tiles = StatsTiles(stats)
        else:
            self.tiles.update(stats)

    async def _show_attention(self) -> None:
        """SmartMoving changes that moved or broke a plan at this location: old → new, what was released."""
        items = await board_attention(self.principal, self.location_id)
        self.attention.clear()
        self.attention.set_visibility(bool(items))
        with self.attention:
            ui.label(f"Needs attention ({len(items)})").classes("text-subtitle1 text-negative")
            attention_entries(items, on_resolve=self._resolve if self.principal.can(Permission.ASSIGN_CREW)
                              else None)

    async def _resolve(self, item: AttentionItem) -> None:
        try:
            await resolve_attention(self.principal, item.id)
        except DomainError as exc:
            ui.notify(exc.message, type="negative")
            return
        ui.notify(f"Marked handled: {item.customer_name}", type="positive")
        await self._show_attention()

    def follow_events(self) -> None:
        on_events(self.concerns_me, self.refresh_journeys_of, principal=self.principal)

    async def refresh_journeys_of(self, events: list[DomainEvent]) -> None:
        """Patch the cards the events name on this day and the stats once; a batch naming more
        journeys than `PATCH_AT_MOST`, or a sync batch too large to say which, re-reads the board
        in one query instead (and patches it in just the same)."""
        journey_ids = self._journeys_named(events)
        if journey_ids is None or len(journey_ids) > PATCH_AT_MOST:
            await self.refresh_board()
        else:
            for journey_id in journey_ids:
                await self.refresh_card(journey_id)
            await self.refresh_stats()
        if any(e.data.get("needs_attention") for e in events):
            await self._show_attention()
        if self.overview_panel is not None:
            self.overview_panel.follow(events)

    async def refresh_board(self) -> None:
        """Re-read the whole board for a live update and patch the page with it."""
        try:
            board = await self.load()
        except DomainError:  # e.g. the location was taken from the user: say so as a reload does
            await self.reload()
            return
        self._show_stats(board.stats)
        self._patch_cards(board.cards)

    def _journeys_named(self, events: list[DomainEvent]) -> list[int] | None:
        """The journeys of the shown location and day the events name, in order; None when one of
        them does not say which."""
        assert self.day is not None
        named: dict[int, None] = {}
        for event in events:
            journeys = touched(event).journeys_on(self.location_id, self.day)
            if journeys is None:
                return None
            named.update(dict.fromkeys(sorted(journeys)))
        return list(named)

    async def refresh_journey(self, journey_id: int) -> None:
        """Re-read one journey (through the domain, with this page's principal) and the stats."""
        await self.refresh_card(journey_id)
        await self.refresh_stats()

    async def refresh_stats(self) -> None:
        assert self.day is not None
        self._show_stats(await board_stats(self.principal, self.location_id, self.day))

    async def refresh_card(self, journey_id: int) -> None:
        assert self.day is not None
        card = await board_card(self.principal, journey_id, self.location_id, self.day, self.filters)
        if card is None and journey_id in self.cards:
            self._drop_card(journey_id)
        elif card is not None and journey_id in self.cards:
            self._patch_card(card)
        elif card is not None:
            with self.grid:
                self._add_card(card)
        self.empty.set_visibility(not self.cards)

    async def hand_over(self, journey_id: int) -> None:
        """The same domain call as the Approvals page's hand-over."""
        try:
            await workflow.hand_over(self.principal, journey_id)
        except DomainError as exc:
            ui.notify(exc.message, type="negative", multi_line=True)
            return
        ui.notify("Handed over to the crew", type="positive")
        await self.refresh_journey(journey_id)

    async def assign(self, journey_id: int) -> None:
        await open_assign_dialog(self.principal, journey_id, self.refresh_journey)

    def new_journey(self) -> None:
        assert self.day is not None
        open_journey_form(self.principal, self.locations, self.location_id, self.day, on_saved=self.refresh_journey)

    def open_timeline(self) -> None:
        ui.navigate.to(f"/board/timeline?location={self.location_id}&day={self.day}")


def filter_query(filters: CardFilters) -> dict[str, str]:
    """The board's filters as query parameters (only those set)."""
    query = {"status": ",".join(sorted(s.value for s in filters.statuses)),
             "source": filters.data_source.value if filters.data_source else "",
             "unassigned": "1" if filters.unassigned_only else "", "q": filters.search}
    return {k: v for k, v in query.items() if v}


def filters_from_query(status: str | None, source: str | None, unassigned: str | None,
                       q: str | None) -> CardFilters:
    """The filters of a board address; values that are not ours are ignored."""
    statuses = frozenset(JourneyStatus(v) for v in (status or "").split(",") if v in JourneyStatus.__members__)
    return CardFilters(statuses=statuses, unassigned_only=unassigned == "1",
                       data_source=DataSource(source) if source in DataSource.__members__ else None,
                       search=(q or "")[:MAX_SEARCH_LENGTH])


async def board_page(principal: Principal, location: int | None = None, day: str | None = None,
                     status: str | None = None, source: str | None = None, unassigned: str | None = None,
                     q: str | None = None) -> None:
    filters = filters_from_query(status, source, unassigned, q)
    await open_location_page(principal, "Dispatch board", location, day,
                             lambda locations, location_id, when: BoardPage(principal, locations, location_id, when,
                                                                           filters))


def moved_to(path: str) -> Callable[[Request], Awaitable[RedirectResponse]]:
    """A page that redirects to `path`, keeping the query string."""
    async def redirect(request: Request) -> RedirectResponse:
        query = request.url.query
        return RedirectResponse(f"{path}?{query}" if query else path)
    return redirect


def register() -> None:
    guarded_page("/board", allow=Permission.USE_BOARD, title="Board · C&C CRM")(board_page)
    ui.page("/dashboard")(moved_to("/board"))
    ui.page("/dashboard/timeline")(moved_to("/board/timeline"))
    timeline.register()
    journey_page.register()

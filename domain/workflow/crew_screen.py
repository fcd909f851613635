"""Everything a crew phone's journey page shows, read once for all the open pages that show it
(issue 18): a driver with the journey open on several phones (or in several tabs) makes one read
per change, not one per page.

The key is the principal itself (user, role, company, locations, token version) and the journey:
everything the four reads depend on, so sharing within a key can never cross users or scopes.
"""

from __future__ import annotations

from dataclasses import dataclass

from domain.access.rbac import Principal
from domain.documents.library import DocumentInfo, journey_documents
from domain.events.bus import bus
from domain.journeys.job_sheet import JobSheet
from domain.runtime.shared_reads import SharedReads
from domain.workflow.crew_journeys import JourneyCard, journey_card, journey_sheet
from domain.workflow.phases import WorkflowView, journey_workflow

#: Phone page reads shared between the pages of one user and journey.
shared_reads = SharedReads(lambda: bus.serial)


@dataclass(frozen=True, slots=True)
class CrewJourneyView:
    card: JourneyCard
    workflow: WorkflowView
    #: None for journeys without SmartMoving details.
    sheet: JobSheet | None
    #: Newest first.
    documents: tuple[DocumentInfo, ...]


async def crew_journey_view(principal: Principal, journey_id: int) -> CrewJourneyView:
    """The journey as its phone page shows it (NotFound outside the principal's scope)."""

    async def read() -> CrewJourneyView:
        card = await journey_card(principal, journey_id)
        return CrewJourneyView(card, await journey_workflow(principal, journey_id),
                               await journey_sheet(principal, journey_id),
                               tuple(await journey_documents(principal, journey_id)))

    return await shared_reads.run((principal, journey_id), read)

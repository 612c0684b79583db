"""What the situation page shows of its Factur-X: the document's state, never a build.

Above ``services`` and ``tasks``: a validated situation without its document asks for it again
(``tasks.schedule_document_from_page``, at most once a minute).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from chorusbat.invoicing.models import InvoiceDocument
from chorusbat.invoicing.services import DocumentError, check_integrity, invoice_data_for
from chorusbat.invoicing.tasks import schedule_document_from_page
from chorusbat.situations.models import Situation


@dataclass
class DocumentState:
    """The Factur-X block of the situation page: ``kind`` is ``draft``, ``preparing``, ``ready``, ``invalid`` or
    ``error``."""

    kind: str
    document: InvoiceDocument | None = None
    issues: list[dict] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)


def document_state(situation: Situation) -> DocumentState:
    """What the page shows of a validated situation's stored document; for a draft, what would block it.

    Never builds a document: a validated situation without one is ``preparing`` (its task is asked for again,
    at most once a minute, in case it was lost), unless its invoice cannot be issued at all (``error``, saying
    why); a rejected document is tried again the same way, in case what made it fail has been fixed since.
    """
    if not situation.is_validated:
        try:
            invoice_data_for(situation)
        except DocumentError as error:
            return DocumentState("draft", messages=str(error).splitlines())
        return DocumentState("draft")
    document = InvoiceDocument.objects.filter(situation=situation).first()
    if document is None or not document.is_ready:
        try:
            invoice_data_for(situation)  # no build: only what the engine and the models say
        except DocumentError as error:
            return DocumentState("error", messages=str(error).splitlines())
        schedule_document_from_page(situation.pk)
    if document is None:
        return DocumentState("preparing")
    document.situation = situation
    if not document.is_ready:
        return DocumentState("invalid", issues=document.issues)
    try:
        return DocumentState("ready", document=check_integrity(document))
    except DocumentError as error:
        return DocumentState("error", messages=str(error).splitlines())

"""A situation's supporting documents (attachements, PV, photos): added, removed, frozen once sent.

An attachment is part of the invoice's inputs (:func:`chorusbat.invoicing.services.invoice_data_for`): adding or
removing one while the situation is validated drops its stored document (never one handed to the gateway) and
asks the worker for a new one, which the gate checks with the attachments embedded. Once the situation is handed
to the gateway (or rejected), its attachments are frozen, like the document: the bytes stored are the bytes sent.
"""

from __future__ import annotations

import re
import unicodedata

from django.db import transaction
from django.utils.translation import gettext as _

from chorusbat.invoicing.models import InvoiceDocument, SituationAttachment, sha256_hex
from chorusbat.invoicing.tasks import schedule_document
from chorusbat.situations.models import Situation, Status
from chorusbat.web.filecheck import ATTACHMENT_MAX_BYTES, FileRefused, check_attachment, size_label

MAX_ATTACHMENTS = 10
MAX_TOTAL_BYTES = 15 * 1024 * 1024  # all attachments of one situation (the PDF carries them all)
NAME_LIMIT = 50  # Chorus Pro's pieceJointeNom, extension included


class AttachmentError(Exception):
    """The attachment cannot be added or removed; ``str(error)`` is French, for the user."""


def frozen_reason(situation: Situation) -> str | None:
    """Why the situation's attachments can no longer change, or ``None`` while they can."""
    if situation.status == Status.REJECTED:
        return _("This situation was rejected and replaced: its attachments stay as they were sent.")
    # Through the reverse relation: invoicing sits below the gateway and does not import it.
    if type(situation).objects.filter(pk=situation.pk, transmission__isnull=False).exists():
        return _("This situation has been sent to Chorus Pro: its attachments stay exactly as they were sent.")
    return None


def safe_name(filename: str, extension: str, taken: set[str]) -> str:
    """An ASCII file name of at most 50 characters with the right extension, not already ``taken``."""
    stem = filename.rsplit(".", 1)[0] if "." in filename else filename
    stem = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode()
    stem = re.sub(r"[^A-Za-z0-9_-]+", "-", stem).strip("-_") or "piece-jointe"
    room = NAME_LIMIT - len(extension) - 1
    name = f"{stem[:room]}.{extension}"
    counter = 2
    while name.lower() in {t.lower() for t in taken}:
        suffix = f"-{counter}"
        name = f"{stem[:room - len(suffix)]}{suffix}.{extension}"
        counter += 1
    return name


def _invalidate_document(situation: Situation) -> None:
    """The inputs changed: drop the stored document of a validated situation and ask for a new one."""
    if not situation.is_validated:
        return
    InvoiceDocument.objects.filter(situation=situation).delete()

    def schedule() -> None:

        schedule_document(situation.pk)

    transaction.on_commit(schedule)


def _locked(situation: Situation) -> Situation:
    locked = Situation.objects.select_for_update().get(pk=situation.pk)
    reason = frozen_reason(locked)
    if reason:
        raise AttachmentError(reason)
    return locked


def add_attachment(situation: Situation, data: bytes, filename: str, content_type: str | None, kind: str,
                   description: str, user) -> SituationAttachment:
    """Check the file and attach it; must run inside a transaction (the caller's one-time form work)."""
    try:
        checked = check_attachment(data, filename, content_type)
    except FileRefused as refused:
        raise AttachmentError(str(refused)) from None
    situation = _locked(situation)
    existing = list(SituationAttachment.objects.filter(situation=situation).values_list("filename", "size"))
    if len(existing) >= MAX_ATTACHMENTS:
        raise AttachmentError(_("A situation carries at most %(count)d attachments.") % {"count": MAX_ATTACHMENTS})
    if sum(size for _name, size in existing) + len(data) > MAX_TOTAL_BYTES:
        raise AttachmentError(_("The attachments of a situation may not exceed %(max)s in all.")
                              % {"max": size_label(MAX_TOTAL_BYTES)})
    attachment = SituationAttachment.objects.create(
        situation=situation,
        filename=safe_name(filename, checked.extension, {name for name, _size in existing}),
        mime=checked.mime, kind=kind, description=" ".join(description.split())[:120],
        data=checked.data, size=len(checked.data), sha256=sha256_hex(checked.data), uploaded_by=user,
    )
    _invalidate_document(situation)
    return attachment


def remove_attachment(situation: Situation, attachment_id: int) -> str:
    """Remove one attachment; returns its file name. Must run inside a transaction."""
    situation = _locked(situation)
    attachment = SituationAttachment.objects.filter(situation=situation, pk=attachment_id).first()
    if attachment is None:
        raise AttachmentError(_("This attachment no longer exists."))
    name = attachment.filename
    attachment.delete()
    _invalidate_document(situation)
    return name


__all__ = ["ATTACHMENT_MAX_BYTES", "MAX_ATTACHMENTS", "AttachmentError", "add_attachment", "frozen_reason",
           "remove_attachment", "safe_name"]

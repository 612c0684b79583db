"""What a person does about an invoice in Chorus Pro: complete a suspended one, recycle one sent back,
acknowledge a rejection. Each action is one Chorus Pro call, recorded as an event; errors come back in French.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chorusbat.accounts.chorus_access import CallsHeld, client_for
from chorusbat.accounts.models import ChorusSubscription
from chorusbat.chorus import errors as cerr
from chorusbat.chorus.models import (
    CompleteInvoiceAttachment,
    CompleteInvoiceRequest,
    Recipient,
    RecycleInvoiceRequest,
    RecycleReference,
    UploadFileRequest,
)
from chorusbat.gateway.models import Transmission, TransmissionEvent
from chorusbat.gateway.routes import WorksRoute, safe_file_name
from chorusbat.situations.models import Situation
from chorusbat.situations.services import create_corrective

MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024  # Chorus Pro's limit per attachment (§7, code 20003)


class ActionRefused(Exception):
    """The action cannot be done; ``str()`` is the French reason."""


def _refuse_works_piece(t: Transmission, action: str) -> None:
    """Works pieces have their own operations (recyclerFactureTravaux, completerFactureTravaux…, review B5), whose
    PISTE paths are UNCONFIRMED: the invoice operation is never called on a works piece's id."""
    if t.situation.market.framework in WorksRoute.FRAMEWORKS:
        raise ActionRefused(_(
            "This action (%(action)s) is not available through the API for a works piece: Chorus Pro handles works "
            "pieces with their own operations, not yet confirmed. Do it on the Chorus Pro portal.") % {
            "action": action})


def _client(t: Transmission):
    try:
        return client_for(ChorusSubscription.objects.filter(company_id=t.company_id).first(), interactive=True)
    except CallsHeld as held:
        raise ActionRefused(str(held)) from None


def _record(t: Transmission, message: str, data: dict, **fields) -> None:
    with transaction.atomic():
        if fields:
            Transmission.objects.filter(pk=t.pk).update(updated_at=timezone.now(), **fields)
        TransmissionEvent.objects.create(transmission=t, kind=TransmissionEvent.Kind.ACTION, message=message,
                                         data=data)


def complete(t: Transmission, comment: str, files: list[tuple[str, bytes]]) -> None:
    """Answer a suspension: upload the attachments, then ``completer`` with the comment."""
    if not t.can_complete:
        raise ActionRefused(_("Only a suspended invoice can be completed."))
    _refuse_works_piece(t, _("complete"))
    for name, content in files:
        if len(content) > MAX_ATTACHMENT_BYTES:
            raise ActionRefused(_("The file %(name)s is larger than 10 MB, the limit of Chorus Pro.") % {"name": name})
    with _client(t) as client:
        try:
            attachments = []
            for name, content in files:
                uploaded = client.upload_file(UploadFileRequest.from_bytes(safe_file_name(*_split(name)), content,
                                                                           _mime(name)))
                attachments.append(CompleteInvoiceAttachment(designation=safe_file_name(*_split(name)),
                                                             attachment_id=uploaded.attachment_id))
            client.complete_invoice(CompleteInvoiceRequest(invoice_id=t.chorus_invoice_id,
                                                           attachments=attachments or None, comment=comment or None))
        except cerr.ChorusError as exc:
            raise ActionRefused(exc.user_message) from None
    _record(t, _("Invoice completed in Chorus Pro (%(n)d attachment(s)).") % {"n": len(files)},
            {"action": "completer", "comment": comment, "files": [n for n, _c in files]})


def recycle(t: Transmission, buyer_siret: str, service_code: str, engagement: str) -> None:
    """Answer a recycling request: correct the routing data, same invoice number (``recycler``)."""
    if not t.can_recycle:
        raise ActionRefused(_("Only an invoice sent back for recycling can be recycled."))
    _refuse_works_piece(t, _("recycle"))
    with _client(t) as client:
        try:
            client.recycle_invoice(RecycleInvoiceRequest(
                invoice_id=t.chorus_invoice_id,
                recipient=Recipient(siret=buyer_siret, service_code=service_code or None),
                reference=RecycleReference(ej_number=engagement or None),
            ))
        except cerr.ChorusError as exc:
            raise ActionRefused(exc.user_message) from None
    _record(t, _("Invoice recycled in Chorus Pro with the corrected routing data."),
            {"action": "recycler", "buyer_siret": buyer_siret, "service_code": service_code,
             "engagement": engagement})


def acknowledge_rejection(t: Transmission) -> None:
    """Tell Chorus Pro the rejection was seen and handled (``traiterRejet``). Idempotent."""
    if not t.is_rejected:
        raise ActionRefused(_("Only a rejected invoice can be acknowledged."))
    if t.rejection_acknowledged:
        return
    _refuse_works_piece(t, _("acknowledge the rejection"))
    with _client(t) as client:
        try:
            client.acknowledge_rejections([t.chorus_invoice_id])
        except cerr.ChorusError as exc:
            raise ActionRefused(exc.user_message) from None
    _record(t, _("Rejection acknowledged in Chorus Pro."), {"action": "traiterRejet"}, rejection_acknowledged=True)
    t.rejection_acknowledged = True


def _split(name: str) -> tuple[str, str]:
    stem, _dot, ext = name.rpartition(".")
    return (stem or ext, ext.lower() if stem else "pdf")


def _mime(name: str) -> str:
    ext = _split(name)[1]
    return {"pdf": "application/pdf", "png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg",
            "xml": "application/xml", "zip": "application/zip"}.get(ext, "application/octet-stream")


def replace_rejected(t: Transmission, user) -> Situation:
    """Replace a rejected situation with a corrective one (a new number), in this order, and return it.

    1. A rejection is acknowledged in Chorus Pro first (``traiterRejet``). A file Chorus Pro refused itself
       (``failed``) has nothing to acknowledge: the situation is cancelled and re-issued the same way.
    2. Then the corrective situation is created. If that fails (``SituationError``), the acknowledgement stays
       done — it only tells Chorus Pro the rejection was seen, and is idempotent — so trying again resumes at 2.

    Raises ``ActionRefused`` (nothing done) or ``situations.services.SituationError``.
    """
    refused = t.state == Transmission.State.FAILED
    if not t.is_rejected and not refused:
        raise ActionRefused(_("Only a situation rejected in Chorus Pro can be corrected this way."))
    if not refused:
        acknowledge_rejection(t)
    return create_corrective(t.situation, user)

"""The two document links of a situation page: "Aperçu PDF" (inline) and "Télécharger Factur-X" (attachment);
the situation's supporting documents (add, remove, download).

Only members of the situation's company reach a document: another company's situation is a 404, like everywhere
else. A document that cannot be produced gives a French error page saying why (draft, failed checks…).
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from chorusbat.accounts.permissions import member_required
from chorusbat.facturx.file_render import safe_filename
from chorusbat.invoicing.attachments import AttachmentError, add_attachment, remove_attachment
from chorusbat.invoicing.models import AttachmentKind, SituationAttachment
from chorusbat.invoicing.services import DocumentError, DocumentInvalid, preview_pdf, ready_document
from chorusbat.situations.models import Situation
from chorusbat.situations.views import company_situation
from chorusbat.web.filecheck import ATTACHMENT_MAX_BYTES, size_label
from chorusbat.web.one_time import AlreadySubmitted, check_not_submitted, once


def pdf_response(pdf: bytes, filename: str, *, as_attachment: bool) -> HttpResponse:
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(as_attachment, filename)
    response["Content-Length"] = str(len(pdf))
    patch_cache_control(response, private=True, no_store=True)
    return response


def error_page(request, situation: Situation, error: DocumentError):
    issues = error.report.get("issues", []) if isinstance(error, DocumentInvalid) else []
    return render(request, "invoicing/document_error.html",
                  {"situation": situation, "message": str(error).splitlines()[0], "issues": issues,
                   "details": [] if issues else str(error).splitlines()[1:]},
                  status=error.status)


@require_safe
@member_required
def preview(request, situation_pk):
    situation = company_situation(request, situation_pk)
    try:
        pdf = preview_pdf(situation)
    except DocumentError as error:
        return error_page(request, situation, error)
    suffix = "" if situation.is_validated else _("-preview")
    return pdf_response(pdf, f"{safe_filename(situation.number)}{suffix}.pdf", as_attachment=False)


@require_safe
@member_required
def download(request, situation_pk):
    situation = company_situation(request, situation_pk)
    try:
        document = ready_document(situation)
    except DocumentError as error:
        return error_page(request, situation, error)
    return pdf_response(document.pdf_bytes, f"{safe_filename(situation.number)}.pdf", as_attachment=True)


# ------------------------------------------------------------------------------------------------ attachments


class AttachmentForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("File"), help_text=gettext_lazy("PDF, JPEG or PNG."),
                           widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}))
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=AttachmentKind.choices,
                             initial=AttachmentKind.ATTACHEMENT)
    description = forms.CharField(label=gettext_lazy("Description (optional)"), max_length=120, required=False)


@require_POST
@member_required
def attachment_add(request, situation_pk):
    situation = company_situation(request, situation_pk)
    detail = reverse("situations:detail", args=[situation.pk])
    try:
        check_not_submitted(request)
    except AlreadySubmitted as done:
        return done.response()
    form = AttachmentForm(request.POST, request.FILES)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(detail)
    upload = form.cleaned_data["file"]
    if upload.size > ATTACHMENT_MAX_BYTES:
        messages.error(request, _("“%(name)s” is too big (%(size)s; at most %(max)s).") % {
            "name": upload.name, "size": size_label(upload.size), "max": size_label(ATTACHMENT_MAX_BYTES)})
        return redirect(detail)
    data = upload.read()
    added = []

    def work() -> str:
        added.append(add_attachment(situation, data, upload.name, upload.content_type, form.cleaned_data["kind"],
                                    form.cleaned_data["description"], request.user))
        return detail + "#attachments"

    try:
        url = once(request, work)
    except AlreadySubmitted as done:
        return done.response()
    except AttachmentError as error:
        messages.error(request, str(error))
        return redirect(detail + "#attachments")
    messages.success(request, _("Attachment added: %(name)s.") % {"name": added[0].filename})
    return redirect(url)


@require_POST
@member_required
def attachment_remove(request, situation_pk, attachment_pk):
    situation = company_situation(request, situation_pk)
    try:
        with transaction.atomic():
            name = remove_attachment(situation, attachment_pk)
    except AttachmentError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Attachment removed: %(name)s.") % {"name": name})
    return redirect(reverse("situations:detail", args=[situation.pk]) + "#attachments")


@require_safe
@member_required
def attachment_download(request, situation_pk, attachment_pk):
    situation = company_situation(request, situation_pk)
    attachment = get_object_or_404(SituationAttachment, situation=situation, pk=attachment_pk)
    data = attachment.data_bytes
    response = HttpResponse(data, content_type=attachment.mime)
    response["Content-Disposition"] = content_disposition_header(True, attachment.filename)
    response["Content-Length"] = str(len(data))
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    patch_cache_control(response, private=True, no_store=True)
    return response

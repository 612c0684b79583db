"""The two document links of a situation page: "Aperçu PDF" (inline) and "Télécharger Factur-X" (attachment).

Only members of the situation's company reach a document: another company's situation is a 404, like everywhere
else. A document that cannot be produced gives a French error page saying why (draft, failed checks…).
"""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_cache_control
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from chorusbat.accounts.permissions import member_required
from chorusbat.facturx.cli import safe_filename
from chorusbat.invoicing.services import DocumentError, DocumentInvalid, preview_pdf, ready_document
from chorusbat.situations.models import Situation
from chorusbat.situations.views import company_situation


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

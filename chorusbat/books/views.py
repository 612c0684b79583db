"""Factures: every situation and invoice across markets (with CSV/XLSX export), the sales journal, accounts."""

from __future__ import annotations

import csv
import datetime
import io

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from chorusbat.accounts.permissions import admin_required, member_required
from chorusbat.books import listing
from chorusbat.books.journal import JournalError
from chorusbat.books.models import AccountingSettings
from chorusbat.books.services import fec_filename, render_journal

PAGE_SIZE = 50


@member_required
def invoice_list(request):
    company = request.membership.company
    form = listing.InvoiceFilter(company, request.GET or None)
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    qs = listing.filtered(company, data)
    export = request.GET.get("export")
    if export in ("csv", "xlsx") and (not form.is_bound or form.is_valid()):
        return _export(qs, export)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    overdue = listing.overdue_among(s.pk for s in rows)
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("export", None)
    return render(request, "books/invoice_list.html", {
        "form": form, "page": page,
        "rows": [{"s": s, "status": listing.status_label(s), "overdue": s.pk in overdue,
                  "ht": None if s.a_amount is None else s.a_amount + s.d_amount} for s in rows],
        "totals": listing.totals(qs), "query": query.urlencode(),
    })


def _export(qs, fmt: str) -> HttpResponse:
    header = [str(c) for c in listing.EXPORT_COLUMNS]
    stamp = datetime.date.today().strftime("%Y%m%d")
    if fmt == "csv":
        out = io.StringIO()
        out.write("\ufeff")  # Excel reads UTF-8 only with a BOM
        writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
        writer.writerow(header)
        for row in listing.export_rows(qs):
            writer.writerow([_csv_cell(v) for v in row])
        response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="factures-{stamp}.csv"'
        return response
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("Invoices"))
    sheet.append(header)
    for row in listing.export_rows(qs):
        sheet.append([_xlsx_cell(sheet, v) for v in row])
    buffer = io.BytesIO()
    book.save(buffer)
    response = HttpResponse(buffer.getvalue(),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="factures-{stamp}.xlsx"'
    return response


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _xlsx_cell(sheet, value):
    """Text is always text: a buyer named "=HYPERLINK(…)" must not become a formula."""
    if isinstance(value, str) and value.startswith("="):
        from openpyxl.cell import WriteOnlyCell

        cell = WriteOnlyCell(sheet, value=value)
        cell.data_type = "s"
        return cell
    return value


def _csv_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return "'" + value if value.startswith(FORMULA_STARTS) else value
    if isinstance(value, datetime.date):
        return value.strftime("%d/%m/%Y")
    if hasattr(value, "quantize"):
        return f"{value:.2f}".replace(".", ",")
    return str(value)


class JournalForm(forms.Form):
    du = forms.DateField(label=gettext_lazy("From"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    au = forms.DateField(label=gettext_lazy("To"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    format = forms.ChoiceField(label=gettext_lazy("Format"), choices=[
        ("fec", gettext_lazy("FEC (article A47 A-1 of the LPF)")), ("csv", gettext_lazy("CSV for spreadsheets"))])

    def clean(self):
        data = super().clean()
        if data.get("du") and data.get("au") and data["au"] < data["du"]:
            self.add_error("au", _("The end of the period is before its start."))
        return data


@member_required
def sales_journal(request):
    company = request.membership.company
    if "du" in request.GET:
        form = JournalForm(request.GET)
        if form.is_valid():
            start, end, fmt = form.cleaned_data["du"], form.cleaned_data["au"], form.cleaned_data["format"]
            try:
                text = render_journal(company, start, end, fmt)
            except JournalError as error:
                messages.error(request, str(error))
            else:
                if fmt == "fec":
                    response = HttpResponse(text.encode("utf-8"), content_type="text/plain; charset=utf-8")
                    name = fec_filename(company, end)
                else:
                    response = HttpResponse(("\ufeff" + text).encode("utf-8"), content_type="text/csv; charset=utf-8")
                    name = f"journal-ventes-{start:%Y%m%d}-{end:%Y%m%d}.csv"
                response["Content-Disposition"] = f'attachment; filename="{name}"'
                return response
    else:
        today = datetime.date.today()
        first = today.replace(day=1)
        last_month_end = first - datetime.timedelta(days=1)
        form = JournalForm(initial={"du": last_month_end.replace(day=1), "au": last_month_end, "format": "fec"})
    return render(request, "books/sales_journal.html", {
        "form": form, "accounts": AccountingSettings.for_company(company),
        "is_admin": request.membership.is_admin,
    })


class AccountsForm(forms.ModelForm):
    class Meta:
        model = AccountingSettings
        fields = ["journal_code", "customer_account", "retention_account", "sales_account", "vat_account",
                  "advance_account", "penalties_account"]


@admin_required
def accounts_edit(request):
    settings_row = AccountingSettings.for_company(request.membership.company)
    form = AccountsForm(request.POST or None, instance=settings_row)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Account numbers saved."))
        return redirect("books:journal")
    return render(request, "books/accounts_form.html", {"form": form})

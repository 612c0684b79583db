"""The sales journal of a company from its situations, on the command line."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import pytest
from django.core.management import call_command

from chorusbat.books.models import AccountingSettings
from chorusbat.situations.models import Situation
from chorusbat.situations.services import create_corrective

D = Decimal
SIRET = "73282932000074"


def run(*args) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("export", *args, stdout=out, stderr=err)
        code = 0
    except SystemExit as exit_:
        code = exit_.code
    return code, out.getvalue(), err.getvalue()


def fec_rows(text: str) -> list[list[str]]:
    return [line.split("\t") for line in text.split("\r\n") if line][1:]


def amount(text: str) -> Decimal:
    return D(text.replace(",", "."))


@pytest.mark.django_db
def test_fec_of_the_validated_situations(market_with_situations):
    code, out, err = run("sales", "--company", SIRET, "--from", "2026-09-01", "--to", "2026-10-31", "--format", "fec")
    assert code == 0, err
    assert out.startswith("JournalCode\tJournalLib\tEcritureNum\tEcritureDate\tCompteNum")
    rows = fec_rows(out)
    assert {row[8] for row in rows} == {"F2026-0093", "F2026-0107"}  # the draft F2026-0110 is not an invoice
    for number in {row[2] for row in rows}:
        lines = [row for row in rows if row[2] == number]
        assert sum(amount(r[11]) for r in lines) == sum(amount(r[12]) for r in lines)
    for situation in Situation.objects.filter(number__in=["F2026-0093", "F2026-0107"]):
        customer = [r for r in rows if r[8] == situation.number and r[4] == "411000"]
        assert [amount(customer[0][11])] == [situation.net_amount]
        retention = [r for r in rows if r[8] == situation.number and r[4] == "411700"]
        assert amount(retention[0][11]) == situation.g_amount > 0
        assert customer[0][6] == "21440109300015"
    penalties = [r for r in rows if r[4] == "671100"]
    assert [(r[8], amount(r[11])) for r in penalties] == [("F2026-0107", D("150.00"))]


@pytest.mark.django_db
def test_period_and_accounts_of_the_company(market_with_situations, company):
    AccountingSettings.objects.create(company=company, customer_account="41100000", sales_account="70400000")
    code, out, _err = run("sales", "--company", SIRET, "--from", "2026-10-01", "--to", "2026-10-31",
                          "--format", "csv")
    assert code == 0
    lines = out.split("\r\n")
    assert lines[0].startswith("Journal;Date;N° écriture")
    assert all(";F2026-0107;" in line for line in lines[1:] if line)
    accounts = {line.split(";")[4] for line in lines[1:] if line}
    assert {"41100000", "70400000"} <= accounts and "411000" not in accounts


@pytest.mark.django_db
def test_rejected_invoice_is_cancelled_on_its_corrective_date(market_with_situations, admin_user):
    rejected = Situation.objects.get(number="F2026-0107")
    corrective = create_corrective(rejected, admin_user, today=datetime.date(2026, 11, 20))
    _code, out, _err = run("sales", "--company", SIRET, "--from", "2026-11-01", "--to", "2026-11-30")
    rows = fec_rows(out)
    cancel = [r for r in rows if r[8] == "F2026-0107"]
    assert cancel and all(r[3] == "20261120" for r in cancel)
    assert cancel[0][10].startswith("Annulation facture F2026-0107")
    assert [amount(r[12]) for r in cancel if r[4] == "411000"] == [rejected.net_amount]
    if Situation.objects.get(pk=corrective.pk).status == "validated":
        assert any(r[8] == corrective.number for r in rows)
    # October still shows the original invoice
    _code, out, _err = run("sales", "--company", SIRET, "--from", "2026-10-01", "--to", "2026-10-31")
    assert {r[10].split()[0] for r in fec_rows(out)} == {"Facture"}


@pytest.mark.django_db
@pytest.mark.parametrize("args, message", [
    (["sales", "--company", SIRET, "--from", "2026-31-01", "--to", "2026-10-31"], "Date incorrecte pour --from"),
    (["sales", "--company", SIRET, "--from", "2026-10-31", "--to", "2026-10-01"], "précède la date de début"),
    (["sales", "--company", "00000000000000", "--from", "2026-10-01", "--to", "2026-10-31"], "Aucune entreprise"),
    (["sales", "--company", SIRET, "--from", "2026-10-01", "--to", "2026-10-31", "--format", "pdf"],
     "Format inconnu"),
    (["sales", "--from", "2026-10-01", "--to", "2026-10-31"], "--company est obligatoire"),
    ([], "Précisez ce qu'il faut exporter"),
])
def test_bad_arguments_exit_2_in_french(company, args, message):
    code, out, err = run(*args)
    assert code == 2 and out == ""
    assert message in err


def test_the_real_command_line_refuses_unknown_options_in_french(tmp_path):
    import os
    import subprocess
    import sys

    env = {**os.environ, "CHORUSBAT_DATA_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "chorusbat.settings"}
    done = subprocess.run([sys.executable, "-m", "chorusbat", "export", "sales", "--bogus"], capture_output=True,
                          text=True, env=env, timeout=120)
    assert done.returncode == 2 and done.stdout == ""
    assert "Arguments incorrects" in done.stderr and "Usage : chorusbat export sales" in done.stderr

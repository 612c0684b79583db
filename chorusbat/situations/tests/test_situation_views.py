"""Situation screens: entry of drafts, every bad input, the décompte page, validation and freezing."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from chorusbat.accounts.models import Company, Membership
from chorusbat.situations.demo import NANTES_MARKET, create_market
from chorusbat.situations.models import Situation

pytestmark = pytest.mark.django_db

FIRST = {"number": "F2026-0093", "period": "2026-09", "date": "2026-09-30", "index_value": "119,0",
         "progress": {"7.1": "45", "7.2": "120", "7.3": "0"}}
SECOND = {"number": "F2026-0094", "period": "2026-10", "date": "2026-10-31", "index_value": "119,7",
          "progress": {"7.1": "100", "7.2": "310", "7.3": "185,5"},
          "penalties": [("Retard remise DOE", "150,00")],
          "extras": ["7.2"]}  # 310 m² beyond the 300 m² of the contract: ticked « travaux supplémentaires »


def form_data(market, entry: dict, **overrides) -> dict:
    ids = {line.ref: line.pk for line in market.lines.all()}
    data = {key: value for key, value in entry.items() if key not in ("progress", "penalties", "extras")}
    for ref in entry.get("extras", []):
        data[f"extra_{ids[ref]}"] = "on"
    for ref, value in entry["progress"].items():
        data[f"line_{ids[ref]}"] = value
    for i, (label, amount) in enumerate(entry.get("penalties", [])):
        data[f"penalty_label_{i}"], data[f"penalty_amount_{i}"] = label, amount
    data.setdefault("advance_paid", "0")
    for key, value in overrides.items():
        if key in ids:
            data[f"line_{ids[key]}"] = value
        else:
            data[key] = value
    return data


def create(client, market, entry, **overrides):
    return client.post(reverse("situations:create", args=[market.pk]), form_data(market, entry, **overrides))


def validate(client, situation):
    return client.post(reverse("situations:validate", args=[situation.pk]), {"confirm": "yes"})


def test_member_enters_a_draft_and_admin_validates_it(member_client, admin_user, market):
    response = create(member_client, market, FIRST)
    situation = Situation.objects.get()
    assert response.status_code == 302 and response.url == reverse("situations:detail", args=[situation.pk])
    assert situation.status == "draft" and situation.created_by.username == "yann"
    assert {p.line.ref: p.value for p in situation.progress.select_related("line")} == {
        "7.1": Decimal("45"), "7.2": Decimal("120"), "7.3": Decimal("0")}

    page = member_client.get(response.url)
    assert page.context["decompte"].totals["net"] == Decimal("12786.01")
    assert 'id="total-net">12\xa0786,01<' in page.content.decode()
    assert validate(member_client, situation).status_code == 403  # members do not validate

    admin = Client()
    admin.force_login(admin_user)
    assert validate(admin, situation).status_code == 302
    situation.refresh_from_db()
    assert situation.status == "validated" and situation.validated_by == admin_user
    assert (situation.coefficient, situation.ttc_amount, situation.g_amount, situation.net_amount) == (
        Decimal("1.005"), Decimal("13458.96"), Decimal("672.95"), Decimal("12786.01"))
    assert [(a.line.ref, a.cumulative) for a in situation.line_amounts.select_related("line")] == [
        ("7.1", Decimal("5400.00")), ("7.2", Decimal("5760.00")), ("7.3", Decimal("0.00"))]


def test_second_situation_reproduces_the_example(admin_client, market):
    create(admin_client, market, FIRST)
    validate(admin_client, Situation.objects.get())
    response = create(admin_client, market, SECOND)
    second = Situation.objects.get(number="F2026-0094")
    decompte = admin_client.get(response.url).context["decompte"]
    assert not decompte.frozen
    assert decompte.coefficient == Decimal("1.010")
    assert {k: decompte.totals[k] for k in ("a", "d", "b", "ttc", "c", "f", "g", "net")} == {
        "a": Decimal("17454.43"), "d": Decimal("174.54"), "b": Decimal("3350.62"), "ttc": Decimal("20979.59"),
        "c": Decimal("150.00"), "f": Decimal("3373.70"), "g": Decimal("1048.98"), "net": Decimal("16406.91")}
    assert [(r.line.ref, r.previous_progress, r.period) for r in decompte.lines] == [
        ("7.1", Decimal("45"), Decimal("6600.00")), ("7.2", Decimal("120"), Decimal("9120.00")),
        ("7.3", Decimal("0"), Decimal("1734.43"))]
    validate(admin_client, second)
    frozen = admin_client.get(response.url).context["decompte"]
    assert frozen.frozen and frozen.totals == decompte.totals
    assert [(r.rate, r.a, r.d, r.b) for r in frozen.by_rate] == [(r.rate, r.a, r.d, r.b) for r in decompte.by_rate]


def test_form_shows_previous_values_and_suggests_the_next_number(admin_client, market):
    create(admin_client, market, FIRST)
    validate(admin_client, Situation.objects.get())
    response = admin_client.get(reverse("situations:create", args=[market.pk]))
    form = response.context["form"]
    assert form.initial["number"] == "F2026-0094"
    assert f"{form.initial['period']:%Y-%m}" == "2026-10"
    assert [(row["line"].ref, row["previous"]) for row in form.grid] == [
        ("7.1", Decimal("45")), ("7.2", Decimal("120")), ("7.3", Decimal("0"))]
    assert 'value="45"' in response.content.decode()  # cumulative starts from the previous value


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"7.1": "quarante"}, "7.1", "Saisissez un nombre, par exemple 12,5."),
        ({"7.1": "NaN"}, "7.1", "Saisissez un nombre"),
        ({"7.2": "1e309"}, "7.2", "Saisissez un nombre"),
        ({"7.2": "inf"}, "7.2", "Saisissez un nombre"),
        ({"7.1": "120"}, "7.1", "le pourcentage doit être compris entre 0 et 100"),
        ({"7.2": "-3"}, "7.2", "la quantité ne doit pas être négative"),
        ({"7.2": "1,23456"}, "7.2", "4 chiffres après la virgule"),
        ({"index_value": ""}, "index_value", "Ce champ est obligatoire."),
        ({"index_value": "0"}, "index_value", "l'indice doit être strictement positif"),
        ({"number": ""}, "number", "Ce champ est obligatoire."),
        ({"number": "F2026-000000000000093"}, "number", "20 caractères au plus (21 saisis)"),
        ({"number": "F2026 0093"}, "number", "ni espace"),
        ({"number": "F2026#0093"}, "number", "lettres, des chiffres"),
        ({"period": "2026-13"}, "period", "format AAAA-MM"),
        ({"period": "2026-08"}, "period", "ne peut pas précéder le début du marché (septembre 2026)"),
        ({"date": "31/09/2026"}, "date", "date valide"),
        ({"advance_paid": "-5"}, "advance_paid", "supérieure ou égale à 0"),
        ({"penalty_label_0": "Retard", "penalty_amount_0": ""}, "penalty_amount_0", "Saisissez le montant"),
        ({"penalty_amount_0": "12,5"}, "penalty_label_0", "motif de cette pénalité"),
    ],
)
def test_bad_situation_input_is_refused_in_french_and_nothing_saved(admin_client, market, overrides, field,
                                                                     message):
    response = create(admin_client, market, FIRST, **overrides)
    assert response.status_code == 200
    form = response.context["form"]
    name = f"line_{market.lines.get(ref=field).pk}" if field in ("7.1", "7.2", "7.3") else field
    assert message.lower() in " ".join(form.errors.get(name, [])).lower(), form.errors
    assert not Situation.objects.exists()


def test_comma_decimals_are_read_french_style(admin_client, market):
    create(admin_client, market, {**FIRST, "extras": ["7.2"]}, **{"7.1": "12,5", "7.2": "1 200,25"})
    values = {p.line.ref: p.value for p in Situation.objects.get().progress.select_related("line")}
    assert values["7.1"] == Decimal("12.5") and values["7.2"] == Decimal("1200.25")


def test_contract_exceeded_needs_an_explicit_choice_per_line(admin_client, market):
    # An executed quantity above the DQE estimate is paid at the unit price, once the line is marked as extra work
    # or covered by an amendment (issue 12, point 5); otherwise it is refused, on that line.
    response = create(admin_client, market, FIRST, **{"7.2": "450"})
    line = market.lines.get(ref="7.2")
    errors = response.context["form"].errors
    assert list(errors) == [f"line_{line.pk}"] and "travaux supplémentaires / avenant" in errors[f"line_{line.pk}"][0]
    assert "(300\u00a0m²)" in errors[f"line_{line.pk}"][0]
    assert create(admin_client, market, {**FIRST, "extras": ["7.2"]}, **{"7.2": "450"}).status_code == 302


def test_periods_and_identifiers_across_situations(admin_client, market, company, admin_user):
    create(admin_client, market, FIRST)
    first = Situation.objects.get()
    # One draft at a time: a new situation waits for the previous one's validation.
    response = create(admin_client, market, SECOND)
    assert response.status_code == 302 and response.url == reverse("situations:detail", args=[first.pk])
    validate(admin_client, first)

    cases = [
        ({"period": "2026-09"}, "period",
         "postérieure à celle de la situation précédente (F2026-0093, septembre 2026)"),
        ({"period": "2026-08"}, "period", "postérieure à celle de la situation précédente"),
        ({"number": "F2026-0093"}, "number", "F2026-0093 est déjà utilisé"),
        ({"number": "F2026-0096"}, "number", "le numéro suivant de cette série est F2026-0094"),
        ({"date": "2026-09-15"}, "number", "ordre des dates"),
    ]
    for overrides, field, message in cases:
        errors = create(admin_client, market, SECOND, **overrides).context["form"].errors
        assert message.lower() in " ".join(errors.get(field, [])).lower(), (overrides, errors)
    assert Situation.objects.count() == 1

    # Another market of the company shares the sequence.
    other = create_market(company, admin_user, {**NANTES_MARKET, "market": {**NANTES_MARKET["market"],
                                                                            "number": "2026-TX-005"}},
                          with_situations=False)
    errors = create(admin_client, other, FIRST).context["form"].errors
    assert "déjà utilisé" in errors["number"][0]
    assert create(admin_client, market, SECOND).status_code == 302


def test_validated_situation_is_frozen(admin_client, market):
    create(admin_client, market, FIRST)
    situation = Situation.objects.get()
    validate(admin_client, situation)
    response = admin_client.post(reverse("situations:edit", args=[situation.pk]),
                                 form_data(market, FIRST, **{"7.1": "99"}), follow=True)
    assert "ne peut plus être modifiée" in response.content.decode()
    assert validate(admin_client, situation).status_code == 302
    assert admin_client.post(reverse("situations:delete", args=[situation.pk])).status_code == 302
    situation.refresh_from_db()
    assert situation.status == "validated" and situation.progress.get(line__ref="7.1").value == Decimal("45")
    assert situation.net_amount == Decimal("12786.01")


def test_draft_can_be_corrected_then_deleted(member_client, admin_user, market):
    admin_client = Client()
    admin_client.force_login(admin_user)
    create(member_client, market, FIRST)
    situation = Situation.objects.get()
    url = reverse("situations:edit", args=[situation.pk])
    page = member_client.get(url).content.decode()
    assert 'value="2026-09-30"' in page and 'value="2026-09"' in page  # what date/month inputs understand
    assert member_client.post(url, form_data(market, FIRST, **{"7.1": "50"})).status_code == 302
    assert situation.progress.get(line__ref="7.1").value == Decimal("50")
    assert member_client.post(reverse("situations:delete", args=[situation.pk])).status_code == 403
    assert admin_client.post(reverse("situations:delete", args=[situation.pk])).status_code == 200  # confirm?
    assert Situation.objects.exists()
    assert admin_client.post(reverse("situations:delete", args=[situation.pk]),
                             {"confirm": "yes"}).status_code == 302
    assert not Situation.objects.exists()


def test_another_companys_situation_is_a_404(client, market_with_situations):
    other = Company.objects.create(legal_name="AUTRE", siret="55210055400047")
    intruder = User.objects.create_user(username="intrus")
    Membership.objects.create(user=intruder, company=other, role=Membership.Role.ADMIN)
    client.force_login(intruder)
    situation = market_with_situations.situations.get(number="F2026-0110")
    for name in ("situations:detail", "situations:edit", "situations:validate", "situations:delete"):
        assert client.post(reverse(name, args=[situation.pk])).status_code == 404
    for name in ("situations:list", "situations:create"):
        assert client.get(reverse(name, args=[market_with_situations.pk])).status_code == 404
    situation.refresh_from_db()
    assert situation.status == "draft"


def test_csrf_is_enforced(member_user, market):
    client = Client(enforce_csrf_checks=True)
    client.force_login(member_user)
    assert create(client, market, FIRST).status_code == 403
    assert not Situation.objects.exists()


def test_situation_list_query_count_does_not_grow_with_rows(admin_client, market, admin_user,
                                                            django_assert_max_num_queries):
    Situation.objects.create(company=market.company, market=market, number="S-0", period="2020-01-01",
                             date="2020-01-31")
    url = reverse("situations:list", args=[market.pk])
    with django_assert_max_num_queries(8) as one:
        admin_client.get(url)
    Situation.objects.bulk_create(
        Situation(company=market.company, market=market, number=f"S-{i}", period=f"{2021 + i // 12}-{i % 12 + 1:02d}-01",
                  date="2026-01-31", status="validated", ttc_amount=Decimal("10.00"), net_amount=Decimal("9.00"))
        for i in range(1, 30)
    )
    with django_assert_max_num_queries(len(one.captured_queries)):
        response = admin_client.get(url)
    assert len(response.context["page"].object_list) == 25
    assert "Validée" in response.content.decode()


def test_pages_render_for_the_demo_data(member_client, market_with_situations):
    market = market_with_situations
    assert member_client.get(reverse("situations:list", args=[market.pk])).status_code == 200
    for situation in market.situations.all():
        page = member_client.get(reverse("situations:detail", args=[situation.pk]))
        assert page.status_code == 200 and not page.context["decompte"].errors
        assert "Ventilation de la TVA" in page.content.decode()

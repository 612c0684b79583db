"""Situations ↔ computation engine: inputs, the décompte shown on screen, saving and validation.

The engine computes a market's whole chain of situations (each one needs the previous one's cumulatives and
advance recovered), so every computation here runs on the chain, ordered by period, and picks the situation asked
for. Amounts are never computed in this module: drafts are recomputed by the engine each time they are shown; a
validated situation shows the engine's figures stored when it was validated, which never change afterwards.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chorusbat import engine, figures
from chorusbat.engine import amendments as engine_amendments
from chorusbat.markets.models import ContractLine, Market
from chorusbat.markets.services import contract_for
from chorusbat.situations.chorus_checks import buyer_problems, situation_problems
from chorusbat.situations.models import LineAmount, Penalty, Progress, RateAmount, Situation, Status
from chorusbat.situations.numbering import Numbered, suggest
from chorusbat.situations.signals import situation_validated

# Situation fields holding the engine's totals, by engine result attribute.
TOTAL_FIELDS = {name: figures.column(name) for name in figures.WRITTEN}


class SituationError(Exception):
    """A situation cannot be saved or validated; ``messages`` are shown to the user."""

    def __init__(self, messages: list[str]):
        self.messages = list(messages)
        super().__init__("; ".join(self.messages))


# ------------------------------------------------------------------------------------------------- inputs


@dataclass
class SituationData:
    """What a user enters for a situation, before it is saved (also what the form hands over)."""

    number: str
    period: datetime.date
    date: datetime.date
    index_value: Decimal | None
    advance_paid: Decimal
    progress: dict[int, Decimal]  # contract line id → cumulative % or quantity
    penalties: list[tuple[str, Decimal]] = field(default_factory=list)
    final: bool = False  # the projet de décompte final (situation-rules.md §6)

    @classmethod
    def of(cls, situation: Situation) -> SituationData:
        """The data of a stored situation (its progress and penalties prefetched or loaded here)."""
        return cls(
            number=situation.number, period=situation.period, date=situation.date,
            index_value=situation.index_value, advance_paid=situation.advance_paid,
            progress={p.line_id: p.value for p in situation.progress.all()},
            penalties=[(p.label, p.amount) for p in situation.penalties.all()],
            final=situation.final,
        )

    def engine_input(self, refs: dict[int, str]) -> engine.SituationInput:
        return engine.SituationInput(
            number=self.number,
            period=f"{self.period:%Y-%m}",
            date=self.date,
            index=self.index_value,
            progress={refs[line_id]: value for line_id, value in self.progress.items() if line_id in refs},
            penalties=tuple(engine.Penalty(label=label, amount=amount) for label, amount in self.penalties),
            advance_paid=self.advance_paid,
            final=self.final,
        )


def market_situations(market: Market) -> list[Situation]:
    """The market's situations in period order, with their inputs prefetched (rejected ones are replaced by their
    corrective situation and no longer count)."""
    return list(market.situations.exclude(status=Status.REJECTED).order_by("period")
                .prefetch_related("progress", "penalties"))


def final_statement(market: Market, exclude: Situation | None = None, *, related: tuple[str, ...] = ()
                    ) -> Situation | None:
    """The market's projet de décompte final that Chorus Pro has not rejected, if any (at most one); ``related``:
    relations to load with it (``select_related``), for callers above this app."""
    rows = market.situations.filter(final=True).exclude(status=Status.REJECTED).select_related(*related)
    if exclude is not None and exclude.pk:
        rows = rows.exclude(pk=exclude.pk)
    return rows.first()


def final_statement_problems(market: Market, final: bool, situation: Situation | None = None) -> list[str]:
    """Why a situation (new, or the draft ``situation``) cannot be saved with the market's final statement:
    nothing comes after a final statement, and a final statement comes after every other situation, all validated
    (situation-rules.md §6)."""
    existing = final_statement(market, exclude=situation)
    if existing is not None:
        return [_("This market already has its final statement (%(number)s): no situation can be added "
                  "after it.") % {"number": existing.number}]
    if final and situation is None:
        pending = market.situations.filter(status=Status.DRAFT).order_by("period").first()
        if pending is not None:
            return [_("Situation %(number)s is still a draft: finish and validate it before the final "
                      "statement.") % {"number": pending.number}]
    return []


def company_numbers(company, exclude: Situation | None = None) -> list[Numbered]:
    """The company's invoice identifiers with their dates, in creation order (for the numbering rule)."""
    rows = Situation.objects.filter(company=company).order_by("created_at", "id")
    if exclude is not None and exclude.pk:
        rows = rows.exclude(pk=exclude.pk)
    return [Numbered(number, date) for number, date in rows.values_list("number", "date")]


def compute_chain(market: Market, lines: list[ContractLine], chain: list[SituationData]) -> engine.ContractResult:
    """Run the engine on the market and this chain of situations (raises ``SituationValidationError``)."""
    refs = {line.pk: line.ref for line in lines}
    return engine.compute(contract_for(market, lines), [data.engine_input(refs) for data in chain])


def chain_with(market: Market, candidate: SituationData, replacing: Situation | None) -> list[SituationData]:
    """The market's situations before the candidate's place, then the candidate (a new or edited draft)."""
    earlier = [s for s in market_situations(market) if replacing is None or s.pk != replacing.pk]
    earlier = [s for s in earlier if s.period < candidate.period]
    return [SituationData.of(s) for s in earlier] + [candidate]


# ------------------------------------------------------------------------------------------------ décompte


@dataclass
class DecompteLine:
    line: ContractLine
    progress: Decimal | None  # cumulative % or quantity entered
    previous_progress: Decimal | None
    cumulative: Decimal
    previous: Decimal
    period: Decimal
    unit_price: Decimal | None = None  # in force for the situation's period (an amendment may have changed it)
    quantity: Decimal | None = None


@dataclass
class Decompte:
    """Everything the situation page shows, as the engine computed it (frozen or fresh)."""

    situation: Situation
    frozen: bool
    lines: list[DecompteLine] = field(default_factory=list)
    by_rate: list = field(default_factory=list)  # objects with rate, cumulative_ht, a, d, b
    totals: dict[str, Decimal] = field(default_factory=dict)  # engine names: a, b, …, net
    coefficient: Decimal | None = None
    errors: list[str] = field(default_factory=list)


def previous_progress(situations: list[Situation], situation: Situation) -> dict[int, Decimal]:
    before = [s for s in situations if s.period < situation.period]
    return {p.line_id: p.value for p in before[-1].progress.all()} if before else {}


def decompte(situation: Situation) -> Decompte:
    """The full décompte of a situation: stored figures when validated, the engine's fresh ones for a draft."""
    market = situation.market
    lines = list(market.lines.all())
    situations = market_situations(market)
    if situation.status == Status.REJECTED:  # out of the chain now, but its frozen figures are still its own
        situations = sorted([*situations, situation], key=lambda s: (s.period, s.status != Status.REJECTED))
    current = next(s for s in situations if s.pk == situation.pk)
    progress = {p.line_id: p.value for p in current.progress.all()}
    before = previous_progress(situations, current)
    frozen = current.is_validated or current.status == Status.REJECTED
    result = Decompte(situation=current, frozen=frozen)
    in_force = {line.ref: line for line in engine_amendments.lines_at(contract_for(market, lines),
                                                                      f"{current.period:%Y-%m}")}

    def terms(line) -> dict:
        engine_line = in_force.get(line.ref)
        return {"unit_price": engine_line.unit_price, "quantity": engine_line.quantity} if engine_line else {}

    if frozen:
        by_line = {a.line_id: a for a in current.line_amounts.all()}
        for line in lines:
            amount = by_line.get(line.pk)
            if amount is not None:
                result.lines.append(DecompteLine(line, progress.get(line.pk), before.get(line.pk),
                                                 amount.cumulative, amount.previous, amount.period, **terms(line)))
        result.by_rate = list(current.rate_amounts.all())
        result.totals = {name: getattr(current, column) for name, column in TOTAL_FIELDS.items()}
        result.coefficient = current.coefficient
        return result
    chain = [SituationData.of(s) for s in situations if s.period <= current.period]
    try:
        computed = compute_chain(market, lines, chain).situations[-1]
    except engine.SituationValidationError as exc:
        result.errors = [issue.message for issue in exc.errors]
        return result
    by_ref = {r.ref: r for r in computed.lines}
    for line in lines:
        r = by_ref.get(line.ref)
        if r is None:  # added by an amendment that applies only to later situations
            continue
        result.lines.append(DecompteLine(line, progress.get(line.pk), before.get(line.pk),
                                         r.cumulative, r.previous, r.period, **terms(line)))
    result.by_rate = computed.by_rate
    result.totals = {name: getattr(computed, name) for name in TOTAL_FIELDS}
    result.coefficient = computed.coefficient
    return result


# ----------------------------------------------------------------------------------------- saving, freezing


@transaction.atomic
def save_draft(market: Market, data: SituationData, user, situation: Situation | None = None,
               corrective: bool = False) -> Situation:
    """Create or update a draft with its progress grid and penalties (the form has checked everything).

    ``corrective``: the draft takes a rejected situation's place in the chain (not after a final statement)."""
    corrective = corrective or (situation is not None and situation.replaces_id is not None)
    problems = [] if corrective else final_statement_problems(market, data.final, situation)
    if problems:  # the form says so first; checked again here, under the caller's lock on the market
        raise SituationError(problems)
    if situation is None:
        situation = Situation(company=market.company, market=market, created_by=user, final=data.final)
    elif not Situation.objects.select_for_update().get(pk=situation.pk).is_draft:  # fresh: maybe just validated
        # A validated situation — and above all one sent and rejected — stays as it was, forever.
        raise SituationError([_("A validated situation can no longer be changed.")])
    situation.number, situation.period, situation.date = data.number, data.period, data.date
    situation.index_value, situation.advance_paid = data.index_value, data.advance_paid
    situation.save()
    situation.progress.all().delete()
    Progress.objects.bulk_create(
        Progress(situation=situation, line_id=line_id, value=value) for line_id, value in data.progress.items()
    )
    situation.penalties.all().delete()
    Penalty.objects.bulk_create(
        Penalty(situation=situation, label=label, amount=amount) for label, amount in data.penalties
    )
    return situation


def validate_situation(situation: Situation, user) -> Situation:
    """Freeze a draft: store the engine's figures; earlier situations of the market must be validated first.

    Nothing Chorus Pro would refuse is frozen: the invoice's business checks run first, and the buyer's routing
    rules are read from Chorus Pro's directory before any lock is taken (one cached lookup, no HTTP call while
    the market is locked).
    """
    return _validate(situation, user, buyer_problems(situation.market))


@transaction.atomic
def _validate(situation: Situation, user, buyer: list) -> Situation:
    market = Market.objects.select_for_update().get(pk=situation.market_id)
    situation = Situation.objects.select_for_update().get(pk=situation.pk)
    if situation.is_validated:
        raise SituationError([_("This situation is already validated.")])
    if not situation.is_draft:  # rejected and replaced: it stays as it was sent
        raise SituationError([_("This situation was rejected and replaced: it can no longer be validated.")])
    situations = market_situations(market)
    if any(not s.is_validated for s in situations if s.period < situation.period):
        raise SituationError([_("Validate the earlier situations of this market first.")])
    lines = list(market.lines.all())
    chain = [SituationData.of(s) for s in situations if s.period <= situation.period]
    try:
        computed = compute_chain(market, lines, chain).situations[-1]
    except engine.SituationValidationError as exc:
        raise SituationError([issue.message for issue in exc.errors]) from None
    problems = chorus_problems(situation) + list(buyer)
    if problems:  # nothing is frozen that Chorus Pro would refuse
        raise SituationError([p.message for p in problems])
    by_ref = {line.ref: line for line in lines}
    LineAmount.objects.bulk_create(
        LineAmount(situation=situation, line=by_ref[r.ref], cumulative=r.cumulative, previous=r.previous,
                   period=r.period)
        for r in computed.lines
    )
    RateAmount.objects.bulk_create(
        RateAmount(situation=situation, rate=r.rate, cumulative_ht=r.cumulative_ht, a=r.a, d=r.d, b=r.b)
        for r in computed.by_rate
    )
    for name, column in TOTAL_FIELDS.items():
        setattr(situation, column, getattr(computed, name))
    situation.coefficient = computed.coefficient
    situation.status = Status.VALIDATED
    situation.validated_by, situation.validated_at = user, timezone.now()
    situation.save()
    # invoicing schedules the Factur-X, produced in the background and committed with the validation
    situation_validated.send(sender=Situation, situation=situation)
    return situation


def chorus_problems(situation: Situation, with_buyer: bool = False) -> list:
    """What Chorus Pro would refuse in the situation's invoice (:mod:`chorusbat.situations.chorus_checks`)."""
    return situation_problems(situation, with_buyer=with_buyer)


@transaction.atomic
def create_corrective(situation: Situation, user, today: datetime.date | None = None) -> Situation:
    """Replace a situation rejected by the buyer, or refused by Chorus Pro for its content, with a corrective
    one: same period and progress, a new invoice identifier (the company's next number), dated today. The
    replaced situation stays on record exactly as it was sent, with its number (never reused).

    When the replaced situation is the market's latest, the corrective is a draft the user may adjust before
    validating. When later situations exist, their figures were computed from this one's progress: the corrective
    keeps the same progress (its form locks it) and is validated at once when Chorus Pro would accept it as it is;
    otherwise it stays a draft whose advance, penalties and date can be corrected.
    """
    situation = Situation.objects.select_for_update().get(pk=situation.pk)
    if situation.status != Status.VALIDATED:
        raise SituationError([_("Only a validated situation can be replaced by a corrective one.")])
    today = today or timezone.localdate()
    later = Situation.objects.filter(market_id=situation.market_id, period__gt=situation.period).exclude(
        status=Status.REJECTED).exists()
    data = SituationData.of(situation)
    Situation.objects.filter(pk=situation.pk).update(status=Status.REJECTED)
    data.number = suggest(company_numbers(situation.company), today)
    data.date = max(today, situation.date)  # a final statement's corrective stays final (SituationData.of)
    corrective = save_draft(situation.market, data, user, corrective=True)
    Situation.objects.filter(pk=corrective.pk).update(replaces=situation)
    corrective.replaces = situation
    if later:
        try:
            with transaction.atomic():
                corrective = validate_situation(corrective, user)
        except SituationError:
            corrective = Situation.objects.get(pk=corrective.pk)  # stays a draft, to be corrected
    return corrective


def progress_locked(situation: Situation | None) -> bool:
    """A corrective situation with later situations keeps the progress those were computed from."""
    if situation is None or situation.replaces_id is None:
        return False
    return Situation.objects.filter(market_id=situation.market_id, period__gt=situation.period).exclude(
        status=Status.REJECTED).exists()

"""A READ-ONLY qualification probe: what a platform answers, and how (issue 11 item 8, fidelity review U1, U3, U4).

With one company's own credentials on its configured platform, :func:`run_probe` makes this sequence of calls,
none of which creates or changes anything in Chorus Pro: the PISTE token, the health check, the company's
structure (search by SIRET, then consult), a buyer search, a supplier invoice search, a works search. Each answer
is recorded: HTTP status, ``codeRetour``, ``libelle``, and for the works search the field names seen, so that the
UNCONFIRMED assumptions (``assumptions.UNCONFIRMED``) can be compared with what the platform really does.

The works API counts as confirmed when the works search answers (HTTP 2xx, ``codeRetour`` 0 or "no result"
20007): the route exists on this platform and the application is subscribed to it. The works *submission* stays
unconfirmed by a read-only probe; the report says so. Pure module (no Django); French texts in ``messages.py``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from chorusbat.chorus import assumptions, works
from chorusbat.chorus import operations as ops
from chorusbat.chorus.client import ChorusClient
from chorusbat.chorus.errors import BusinessError, ChorusError, RequestRejected, WorksApiUnavailable
from chorusbat.chorus.messages import PROBE_MESSAGES, UNCONFIRMED_ASSUMPTIONS
from chorusbat.chorus.models import (
    HistoryStatusPaging,
    InvoiceHistoryRequest,
    InvoiceSearchPaging,
    InvoiceSearchRequest,
    StructureSearchRequest,
)


@dataclass
class ProbeStep:
    key: str  # token, health, structure, structure_consult, buyer, invoices, works
    operation: str
    answered: bool = False  # the platform gave a readable answer (including "no result")
    http_status: int | None = None
    code_retour: int | None = None
    libelle: str = ""
    fields: list[str] = field(default_factory=list)  # top-level field names, and of the first list item
    item_fields: list[str] = field(default_factory=list)
    error: str = ""  # French, when the call failed


@dataclass
class ProbeReport:
    steps: list[ProbeStep] = field(default_factory=list)
    works_api_confirmed: bool = False
    observations: dict[str, str] = field(default_factory=dict)  # assumption key → what was observed (French)

    def step(self, key: str) -> ProbeStep | None:
        return next((s for s in self.steps if s.key == key), None)

    def as_dict(self) -> dict:
        return {"steps": [asdict(s) for s in self.steps], "works_api_confirmed": self.works_api_confirmed,
                "observations": self.observations}


def _record(step: ProbeStep, status: int | None, data: dict, list_key: str | None = None) -> None:
    step.answered = True
    step.http_status = status
    code = data.get("codeRetour")
    step.code_retour = int(code) if isinstance(code, (int, str)) and str(code).lstrip("-").isdigit() else None
    step.libelle = str(data.get("libelle") or "")[:300]
    step.fields = sorted(data)
    items = data.get(list_key) if list_key else None
    if isinstance(items, list) and items and isinstance(items[0], dict):
        step.item_fields = sorted(items[0])


def _failed(step: ProbeStep, exc: ChorusError) -> None:
    step.http_status = exc.http_status
    if isinstance(exc, BusinessError):
        step.answered = True
        step.code_retour, step.libelle = exc.code_retour, (exc.libelle or "")[:300]
    step.error = exc.user_message


def _call(client: ChorusClient, report: ProbeReport, key: str, operation: ops.Operation, body,
          list_key: str | None = None) -> dict | None:
    step = ProbeStep(key=key, operation=operation.name)
    report.steps.append(step)
    try:
        status, data = client.call_raw(operation, body)
    except ChorusError as exc:
        if isinstance(exc, RequestRejected) and exc.http_status == 404 and operation.name.startswith(
                "facturesTravaux/"):
            exc = WorksApiUnavailable(operation.name, http_status=404)
        _failed(step, exc)
        return None
    _record(step, status, data, list_key)
    return data


def run_probe(client: ChorusClient, *, siret: str, buyer_siret: str | None) -> ProbeReport:
    """The read-only sequence; never raises a :class:`ChorusError` (each failure is recorded in its step)."""
    report = ProbeReport()
    token = ProbeStep(key="token", operation="oauth/token")
    report.steps.append(token)
    try:
        client.access_token()
        token.answered, token.http_status = True, 200
    except ChorusError as exc:
        _failed(token, exc)
        _observe(report)
        return report  # nothing else can answer without a token

    _call(client, report, "health", ops.HEALTH_CHECK, None)
    found = _call(client, report, "structure", ops.SEARCH_STRUCTURES, StructureSearchRequest.by_siret(siret),
                  "listeStructures")
    structures = (found or {}).get("listeStructures") or []
    own = next((s for s in structures if s.get("identifiantStructure") == siret), structures[0] if structures
               else None)
    structure_id = own.get("idStructureCPP") if isinstance(own, dict) else None
    if structure_id is not None:
        _call(client, report, "structure_consult", ops.CONSULT_STRUCTURE,
              {"idStructureCPP": structure_id, "codeLangue": "FR"})
    if buyer_siret:
        _call(client, report, "buyer", ops.SEARCH_STRUCTURES, StructureSearchRequest.by_siret(buyer_siret),
              "listeStructures")
    invoices = _call(client, report, "invoices", ops.SEARCH_SUPPLIER_INVOICES,
                     InvoiceSearchRequest(id_supplier=structure_id, paging=InvoiceSearchPaging(page=1, per_page=1)),
                     "listeFactures")
    first = next(iter((invoices or {}).get("listeFactures") or []), None)
    if isinstance(first, dict) and first.get("identifiantFactureCPP") is not None:
        paging = HistoryStatusPaging(page=1, per_page=100, sort_column="HistoStatutDatePassage",
                                     sort_direction="Ascendant")
        _call(client, report, "history", ops.INVOICE_HISTORY,
              InvoiceHistoryRequest(invoice_id=first["identifiantFactureCPP"], status_paging=paging))
    works_body = works.WorksSearchRequest(id_supplier=structure_id,
                                          paging=works.WorksSearchPaging(page=1, per_page=1))
    _call(client, report, "works", works.SEARCH, works_body, "listeFacturesTravaux")
    step = report.step("works")
    report.works_api_confirmed = bool(step and step.answered and step.http_status is not None
                                      and 200 <= step.http_status < 300
                                      and step.code_retour in (None, 0, *assumptions.EMPTY_RESULT_CODES))
    _observe(report)
    return report


def _observe(report: ProbeReport) -> None:
    """What the probe saw about each UNCONFIRMED assumption (French)."""
    m = PROBE_MESSAGES
    works_step = report.step("works")
    obs = report.observations
    for key in assumptions.UNCONFIRMED:
        obs[key] = m["not_observable"]
    if works_step is None:
        return
    if works_step.answered and works_step.http_status and works_step.http_status < 300:
        obs["works_search"] = m["works_search_answered"].format(status=works_step.http_status,
                                                                code=works_step.code_retour)
    else:
        obs["works_search"] = m["works_search_failed"].format(status=works_step.http_status or "-",
                                                              error=works_step.error or works_step.libelle)
        if works_step.http_status == 403:
            obs["works_subscription"] = m["works_403"]
    if works_step.http_status and works_step.http_status < 300:
        obs["works_subscription"] = m["works_subscribed"]
    if works_step.item_fields:
        names = [n for n in ("statut", "statutFactureTravaux", "statutCourant") if n in works_step.item_fields]
        obs["works_status_field"] = m["works_fields_seen"].format(fields=", ".join(works_step.item_fields),
                                                                  status=", ".join(names) or "aucun")
    elif works_step.answered:
        obs["works_status_field"] = m["works_no_item"]
    empties = [f"{s.operation} → {s.code_retour} / {s.libelle}" for s in report.steps
               if s.code_retour in assumptions.EMPTY_RESULT_CODES]
    if empties:
        obs["no_result_codes"] = m["no_result_seen"].format(detail=" ; ".join(empties))
    refused = [s for s in report.steps if s.code_retour not in (None, 0, *assumptions.EMPTY_RESULT_CODES)]
    obs["business_error_status"] = m["business_status_seen"].format(
        detail=" ; ".join(f"{s.operation} → HTTP {s.http_status}" for s in refused)) if refused else m["no_refusal"]
    history = report.step("history")
    if history is not None:
        obs["history_paging"] = (m["history_answered"].format(fields=", ".join(history.fields))
                                 if history.answered and not history.error
                                 else m["history_refused"].format(error=history.error or history.libelle))
    if any(s.http_status == 403 for s in report.steps):
        obs["meaning_of_403"] = m["seen_403"].format(
            operations=", ".join(s.operation for s in report.steps if s.http_status == 403))


def format_report(report: ProbeReport, *, company: str, environment: str) -> str:
    """The French report printed by ``chorusbat chorus probe``."""
    m = PROBE_MESSAGES
    lines = [m["title"].format(company=company, environment=environment), ""]
    for s in report.steps:
        state = m["answered"] if s.answered and not s.error else (m["refused"] if s.answered else m["no_answer"])
        line = f"- {m['step_' + s.key]} ({s.operation}) : {state}"
        details = []
        if s.http_status is not None:
            details.append(f"HTTP {s.http_status}")
        if s.code_retour is not None:
            details.append(f"codeRetour {s.code_retour}")
        if s.libelle:
            details.append(f"libelle « {s.libelle} »")
        if details:
            line += " — " + ", ".join(details)
        lines.append(line)
        if s.error:
            lines.append(f"    {s.error}")
        if s.key == "works" and (s.fields or s.item_fields):
            lines.append("    " + m["fields_seen"].format(fields=", ".join(s.fields) or "-",
                                                         items=", ".join(s.item_fields) or "-"))
    lines += ["", m["works_confirmed"] if report.works_api_confirmed else m["works_not_confirmed"], "",
              m["assumptions_title"]]
    for key in assumptions.UNCONFIRMED:
        lines.append(f"- {UNCONFIRMED_ASSUMPTIONS[key]}")
        lines.append(f"    {m['observed']} {report.observations.get(key, m['not_observable'])}")
    return "\n".join(lines)


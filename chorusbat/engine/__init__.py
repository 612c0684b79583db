"""The situation computation engine: pure Python, ``Decimal`` only, no Django.

It implements ``situation-rules.md`` (the contract for every figure chorusbat shows, prints, puts in
Factur-X and sends to Chorus Pro). Entry points:

- ``compute(contract, situations)`` — validate (every issue at once) then compute the whole chain;
- ``validate(contract, situations)`` — the issues only, e.g. for a form;
- ``parse_situation_file`` / ``result_to_json`` / ``compute_situation_file`` / ``load_situation_file`` —
  the JSON situation file of the command line (§4).
"""

from .compute import compute
from .model import (
    Advance,
    Amendment,
    AmendmentResult,
    Contract,
    ContractLine,
    ContractResult,
    LineChange,
    LineKind,
    LineResult,
    Penalty,
    RateResult,
    Revision,
    SituationInput,
    SituationResult,
)
from .sentences import SituationValidationError, ValidationIssue
from .situation_file import (
    Parties,
    compute_situation_file,
    load_situation_file,
    parse_situation_file,
    result_to_json,
)
from .validation import validate

__all__ = [
    "Advance",
    "Amendment",
    "AmendmentResult",
    "LineChange",
    "Contract",
    "ContractLine",
    "ContractResult",
    "LineKind",
    "LineResult",
    "Parties",
    "Penalty",
    "RateResult",
    "Revision",
    "SituationInput",
    "SituationResult",
    "SituationValidationError",
    "ValidationIssue",
    "compute",
    "compute_situation_file",
    "load_situation_file",
    "parse_situation_file",
    "result_to_json",
    "validate",
]

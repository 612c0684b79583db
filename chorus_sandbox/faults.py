"""Faults on demand, for reliability tests (issue 3 §8, reference §18.12).

A rule applies to the request paths matching its ``route`` (shell-style pattern, e.g.
``/cpro/factures/v1/*``). For each matching request the sandbox draws ONE random number from a generator
seeded at configuration time, so a given sequence of requests always meets the same faults. The outcomes are
mutually exclusive and checked in this order: reset, timeout, 500, 503, 429, accept-then-500, invalid_client;
``latency_ms`` is added to every matching request. ``/_sim/`` routes are never faulted.

``flux_state`` (with ``p_flux_state``, 1 by default) does not change the HTTP answer: a flux deposited through a
matching request (``/cpro/factures/v1/deposer/flux``) is accepted, then its processing ends in that state instead
of IN_INTEGRE / IN_REJETE — one of ``assumptions.FLUX_FAULT_STATES`` (IN_INCIDENTE, IN_ERREUR_INTERNE,
QP_IRRECEVABLE, QP_RECEVABLE_AVEC_ERREUR with errors listed, or IN_TRAITE_SE_CPP with the invoice created).
"""

from __future__ import annotations

import fnmatch
import random
import threading
from dataclasses import asdict, dataclass, fields

#: Upper bound of a simulated timeout, so a test can never hang for long.
MAX_TIMEOUT_SECONDS = 120.0


@dataclass
class FaultRule:
    route: str = "*"
    latency_ms: int = 0
    p_reset: float = 0.0
    p_timeout: float = 0.0
    timeout_s: float = 5.0
    p500: float = 0.0
    p503: float = 0.0
    p429: float = 0.0
    retry_after: int = 1
    p_accept_then_500: float = 0.0
    p_invalid_client: float = 0.0
    flux_state: str = ""
    p_flux_state: float = 1.0

    @classmethod
    def from_dict(cls, data: dict) -> FaultRule:
        known = {f.name for f in fields(cls)}
        unknown = set(data) - known
        if unknown:
            raise ValueError(f"unknown fault settings: {', '.join(sorted(unknown))}")
        rule = cls(**data)
        probabilities = [rule.p_reset, rule.p_timeout, rule.p500, rule.p503, rule.p429, rule.p_accept_then_500,
                         rule.p_invalid_client]
        if any(not 0 <= p <= 1 for p in probabilities) or sum(probabilities) > 1 + 1e-9:
            raise ValueError("probabilities must be between 0 and 1 and add up to at most 1")
        rule.timeout_s = min(float(rule.timeout_s), MAX_TIMEOUT_SECONDS)
        if rule.flux_state:
            from .assumptions import FLUX_FAULT_STATES

            if rule.flux_state not in FLUX_FAULT_STATES:
                raise ValueError(f"flux_state must be one of {', '.join(FLUX_FAULT_STATES)}")
            if not 0 <= rule.p_flux_state <= 1:
                raise ValueError("p_flux_state must be between 0 and 1")
        return rule


@dataclass
class Decision:
    """What to do with one request: ``kind`` is None (answer normally) or the fault to play."""

    kind: str | None
    latency_s: float = 0.0
    retry_after: int = 1
    timeout_s: float = 0.0


class Faults:
    """The current fault rules and their seeded random generator."""

    def __init__(self, rules: list[dict] | None = None, seed: int = 0):
        self._lock = threading.Lock()
        self.configure(rules or [], seed)

    def configure(self, rules: list[dict], seed: int = 0) -> None:
        parsed = [FaultRule.from_dict(r) for r in rules]
        with self._lock:
            self.rules = parsed
            self.seed = int(seed)
            self._random = random.Random(self.seed)

    def clear(self) -> None:
        self.configure([], self.seed)

    def describe(self) -> dict:
        return {"seed": self.seed, "rules": [asdict(r) for r in self.rules]}

    def flux_state_for(self, path: str) -> str | None:
        """The state a flux deposited through ``path`` must end in (a ``flux_state`` rule), or None."""
        with self._lock:
            rule = next((r for r in self.rules if r.flux_state and fnmatch.fnmatchcase(path, r.route)), None)
            if rule is None:
                return None
            return rule.flux_state if self._random.random() < rule.p_flux_state else None

    def draw(self, path: str) -> Decision:
        with self._lock:
            rule = next((r for r in self.rules if fnmatch.fnmatchcase(path, r.route)), None)
            if rule is None:
                return Decision(None)
            roll = self._random.random()
        outcomes = [
            ("reset", rule.p_reset),
            ("timeout", rule.p_timeout),
            ("500", rule.p500),
            ("503", rule.p503),
            ("429", rule.p429),
            ("accept_then_500", rule.p_accept_then_500),
            ("invalid_client", rule.p_invalid_client),
        ]
        threshold = 0.0
        kind = None
        for name, probability in outcomes:
            threshold += probability
            if probability and roll < threshold:
                kind = name
                break
        return Decision(kind, rule.latency_ms / 1000, rule.retry_after, rule.timeout_s)

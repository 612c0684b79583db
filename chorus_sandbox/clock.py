"""The sandbox's clock: one *tick* moves pending fluxes (flux.py) and invoices (lifecycle.py) one step further.

Ticks come from ``POST /_sim/advance`` (tests, clock off) or from the background ``Clock`` thread. This module
sits above ``flux`` and ``lifecycle`` (flux processing creates invoices, which lifecycle moves), so that neither
imports the other through the clock.
"""

from __future__ import annotations

import logging
import threading

from . import assumptions, flux, lifecycle
from .core import App

log = logging.getLogger("chorus_sandbox")


def tick(app: App) -> dict:
    """One clock step; returns how many fluxes and invoices moved."""
    with app.store.transaction():
        fluxes, created = flux.process_pending(app)
        moved = 0
        for invoice in app.store.all("invoice"):
            target = None if invoice["id"] in created else lifecycle.next_status(invoice)
            if target:
                lifecycle.set_status(app, invoice, target, actor=lifecycle.actor_of(target))
                moved += 1
    return {"fluxes": fluxes, "invoices": moved}


class Clock(threading.Thread):
    """Background ticks every ``BASE_TICK_SECONDS / speed`` seconds; speed 0 means no background clock."""

    def __init__(self, app: App):
        super().__init__(name="chorus-sandbox-clock", daemon=True)
        self.app = app
        self._stop_event = threading.Event()

    def run(self) -> None:
        while not self._stop_event.is_set():
            speed = self.app.config.clock_speed
            if speed <= 0:
                self._stop_event.wait(0.5)
                continue
            if self._stop_event.wait(assumptions.BASE_TICK_SECONDS / speed):
                break
            if self.app.config.clock_speed > 0:
                try:
                    tick(self.app)
                except Exception:  # noqa: BLE001 — a failed tick must not stop the clock
                    log.exception("clock tick failed")

    def stop(self) -> None:
        self._stop_event.set()

"""Monthly situations (projets de décompte mensuels): entry, décompte, validation, corrective situations.

Module map:

- ``models`` — ``Situation`` (status, the frozen figures ``a_amount`` … ``net_amount``), its progress and
  penalties, ``LineAmount`` and ``RateAmount`` (the figures per line and per VAT rate, frozen at validation).
- ``services`` — the bridge to the engine: ``save_draft``, ``decompte`` (what the page shows),
  ``validate_situation`` (checks, then freezes the engine's figures, then sends ``signals.situation_validated``,
  on which invoicing schedules the Factur-X),
  ``create_corrective`` (after a rejection, a new number); ``final_statement`` / ``final_statement_problems``
  (the projet de décompte final, ``Situation.final``: the market's last situation, situation-rules.md §6).
- ``chorus_checks`` — what Chorus Pro would refuse in the invoice, checked *before* validation (the invoice built
  by invoicing's ``invoice_data_for``, handed over in ``InvoicingConfig.ready``).
- ``numbering`` — invoice identifiers: format, suggestion, the company's sequence rule.
- ``forms``, ``views`` — the situation form and pages; ``management/commands/situation.py`` —
  ``chorusbat situation compute|render FILE.json``.
- ``demo`` — the demo markets and their situations, written through ``services``.
"""

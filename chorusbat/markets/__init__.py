"""Public works contracts (marchés) and their contract lines.

Module map:

- ``models`` — ``Market`` (buyer, framework, revision, advance, retention) and ``ContractLine``; ``bounds`` — their
  database check constraints, built from ``engine.limits``.
- ``services`` — a market in the database → the engine's ``Contract``, and the market's totals.
- ``buyer_checks`` — the market's buyer checked against Chorus Pro's directory (through ``accounts.buyer_cache``):
  form errors and the routing rules.
- ``forms``, ``views`` — market screens; ``imports`` — contract lines from a DPGF / BPU file (CSV or XLSX);
  ``uploads`` — refusing oversized uploads early; ``french_numbers`` — decimals typed the French way.
"""

"""Every situation and invoice of a company, their exports, and the sales journal.

Module map: ``journal`` — the sales journal (pure Python, FEC and CSV); ``services`` — from the database to the
journal and to the list; ``listing`` — the list's filters, sorting and totals; ``models`` — the accounting
settings; ``views`` — *Factures*; ``management/commands/export.py`` — ``chorusbat export sales``.
See ``docs/sales-journal.md``.
"""

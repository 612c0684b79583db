"""The Factur-X document of each validated situation: built once, stored with its digest, never rebuilt.

Module map:

- ``models`` — ``InvoiceDocument`` (PDF, XML, validation report, SHA-256 digests, status).
- ``services`` — ``invoice_data_for`` (a situation → ``facturx.InvoiceData``), ``ready_document`` (the stored
  document, integrity re-checked on every use), ``refresh_document`` (build or rebuild before sending),
  ``preview_pdf`` (a draft's preview); ``pages`` — ``document_state``, what the situation page says.
- ``tasks`` — the background production after validation (``schedule_document``, run by ``chorusbat worker``);
  ``signals`` — a validated situation's document is scheduled (``situations.signals.situation_validated``), then
  follows its inputs until it is sent; ``apps`` hands ``invoice_data_for`` to ``situations.chorus_checks``.
- ``views`` — *Aperçu PDF* and *Télécharger Factur-X*.
"""

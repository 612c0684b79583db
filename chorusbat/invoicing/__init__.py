"""The Factur-X document of each validated situation: built once, stored with its digest, never rebuilt.

Module map:

- ``models`` — ``InvoiceDocument`` (PDF, XML, validation report, SHA-256 digests, status).
- ``services`` — ``invoice_data_for`` (a situation → ``facturx.InvoiceData``), ``ready_document`` (the stored
  document, integrity re-checked on every use), ``refresh_document`` (build or rebuild before sending),
  ``preview_pdf`` (a draft's preview); ``pages`` — ``document_state``, what the situation page says.
- ``tasks`` — the background production after validation (``schedule_document``, run by ``chorusbat worker``);
  ``signals`` — a validated situation's document follows its inputs until it is sent.
- ``chorus_checks`` — what Chorus Pro would refuse in the invoice, checked *before* validation.
- ``views`` — *Aperçu PDF* and *Télécharger Factur-X*.
"""

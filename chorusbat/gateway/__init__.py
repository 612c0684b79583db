"""Transmissions to Chorus Pro: the state machine, the worker tasks, the status sync, actions and dashboard.

Read in this order:

- ``models`` — ``Transmission`` (one per situation: state, lease, attempts, Chorus Pro ids and status) and its
  events and status changes.
- ``services`` — the operations: ``send``, ``run_step``, ``resume_held``, ``sweep``.
- ``machine`` — the state machine: ``step`` under a lease, the ``_step_*`` states, never depositing twice.
- ``tasks`` — the worker's task (``advance_transmission``) and ``schedule``.
- ``routes`` — how a situation reaches Chorus Pro per framework (``FluxRoute`` A1, ``WorksRoute`` A4/A10/A13 and
  their final statements A7/A11/A14).
- ``sync`` — following invoices' statuses in batches; ``notify`` — the e-mails.
- ``actions`` — complete, recycle, acknowledge a rejection; ``labels`` — French labels of statuses.
- ``views``, ``dashboard``, ``templatetags`` — screens; ``probing`` — the qualification probe's records;
  ``management/commands`` — ``send``, ``worker``, ``scheduler``, ``sync-statuses``, ``resume-transmissions``,
  ``chorus probe``.
"""

"""The integration API (``/api/v1/``), its keys and its webhooks.

Module map: ``api`` — the routes (django-ninja); ``schemas`` — the situation file's JSON in and out;
``services`` — bodies → the same services as the screens; ``serializers`` — rows → JSON; ``byo`` — bring your own
Factur-X; ``guard`` — idempotency and the audit of calls; ``keys`` — API keys and the rate limit; ``problems`` —
RFC 9457 errors; ``webhooks`` (endpoints, events → deliveries) → ``tasks`` (the worker's task, ``schedule``) →
``delivery`` (one signed attempt; a failure re-queued through the ``then`` it is given), ``signals`` — what
becomes an event; ``views``,
``urls_account`` — *Mon compte › API et webhooks*; ``runhelp`` — what ``chorusbat up`` prints.
"""

"""The Chorus Pro sandbox: a local simulator of PISTE and the Chorus Pro APIs, reached only over HTTP.

It shares no code with chorusbat. Start it with ``chorusbat sandbox`` or ``python -m chorus_sandbox``;
see README.md for routes, seed data, faults and the pytest plugin.
"""

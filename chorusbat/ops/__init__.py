"""Running chorusbat in production: the web server, health checks, metrics, request logs, periodic-job locks.

Module map:
- ``serve`` (management command): gunicorn with chorusbat's WSGI application, static files by WhiteNoise.
- ``requestlog``: one JSON line per request (method, route, status, duration, company, request id) and the JSON
  log formatter used in production for every log line.
- ``health``: ``/healthz`` (the process answers) and ``/readyz`` (database, migrations, data directory).
- ``metrics``: ``/metrics`` in Prometheus format, behind a token; gauges read from the database at scrape time,
  Chorus Pro call counters shared by the processes of one machine (prometheus-client's multiprocess mode).
- ``periodic``: a periodic job runs once per period however many schedulers run (a row per job and period).
"""

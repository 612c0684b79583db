"""`chorusbat serve`: the production web server (gunicorn), static files included (WhiteNoise).

    chorusbat serve [--host 127.0.0.1] [--port 8000] [--workers N]

Settings come from the environment as for every command (production refuses to start without its keys). The
static files are collected into the data directory first (a few hundred milliseconds when nothing changed).
Requests are logged by chorusbat itself, one JSON line each (chorusbat.ops.requestlog); gunicorn's own access log
is off, its error log goes through the same formatter.
"""

from __future__ import annotations

import os

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from gunicorn.app.base import BaseApplication


def default_workers() -> int:
    return min(2 * (os.cpu_count() or 1) + 1, 8)


class _Gunicorn(BaseApplication):
    def __init__(self, options: dict) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        from chorusbat.wsgi import application

        return application


class Command(BaseCommand):
    help = "Run the production web server (gunicorn) with the static files."

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("CHORUSBAT_HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("CHORUSBAT_PORT", "8000")))
        parser.add_argument("--workers", type=int, default=default_workers())
        parser.add_argument("--timeout", type=int, default=60, help="Seconds before a stuck request is killed.")

    def handle(self, *args, **options):
        if not 1 <= options["workers"] <= 64:
            raise CommandError("--workers : entre 1 et 64.")
        if not 1 <= options["port"] <= 65535:
            raise CommandError("--port : entre 1 et 65535.")
        call_command("collectstatic", interactive=False, verbosity=0)
        formatter = "json" if settings.PRODUCTION else "plain"
        _Gunicorn({
            "bind": f"{options['host']}:{options['port']}",
            "workers": options["workers"],
            "timeout": options["timeout"],
            "graceful_timeout": 30,
            "max_requests": 2000,  # recycle workers now and then: memory stays bounded
            "max_requests_jitter": 200,
            "accesslog": None,
            "control_socket_disable": True,  # several servers may run on one machine
            "forwarded_allow_ips": "127.0.0.1,::1",
            "logconfig_dict": {
                "version": 1,
                "disable_existing_loggers": False,
                "formatters": {"json": {"()": "chorusbat.ops.requestlog.JsonFormatter"},
                               "plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
                "handlers": {"console": {"class": "logging.StreamHandler", "formatter": formatter}},
                "loggers": {"gunicorn.error": {"handlers": ["console"], "level": "INFO", "propagate": False}},
            },
        }).run()

"""`chorusbat up` — what `make run` runs: prepare the database and demo data, then run every process.

Processes, all on 127.0.0.1 and stopped together with Ctrl-C:
- the local Chorus Pro sandbox (its own package, reached over HTTP only);
- the web application;
- one background worker (transmissions to Chorus Pro, status sync);
- the scheduler of the periodic jobs (transmission sweep, status sync, password reminders, buyer refresh).
If any process dies, the others are stopped and the command exits with an error.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import httpx
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from chorusbat.accounts.chorus_access import sandbox_credentials
from chorusbat.api import runhelp  # the integration API: how to get a key


def _wait_until_up(url: str, timeout: float = 30.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            httpx.get(url, timeout=1.0)
            return True
        except httpx.HTTPError:
            time.sleep(0.2)
    return False


class Command(BaseCommand):
    help = "Migrate, load demo data, and run the sandbox and the web app on 127.0.0.1 until Ctrl-C."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--sandbox-port", type=int, default=8100)
        parser.add_argument("--no-demo", action="store_true", help="Do not create the demo data.")

    def processes(self, options) -> list[tuple[str, list[str], str | None]]:
        """(name, command, URL that answers once it is up)."""
        py = sys.executable
        sandbox_state = str(settings.DATA_DIR / "sandbox.sqlite3")
        return [
            (
                "sandbox",
                [py, "-m", "chorus_sandbox", "--host", "127.0.0.1", "--port", str(options["sandbox_port"]),
                 "--state", sandbox_state, "--clock-speed", "1"],
                f"http://127.0.0.1:{options['sandbox_port']}/_sim/state",
            ),
            (
                "web",
                # DEBUG stays off (unless CHORUSBAT_DEBUG=1): --insecure lets runserver serve the static files anyway.
                [py, "-m", "chorusbat", "runserver", f"127.0.0.1:{options['port']}", "--noreload", "--insecure"],
                f"http://127.0.0.1:{options['port']}/connexion/",
            ),
            ("worker", [py, "-m", "chorusbat", "worker"], None),
            ("scheduler", [py, "-m", "chorusbat", "scheduler"], None),
        ]

    def handle(self, *args, **options):
        call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write("Database ready.")
        if not options["no_demo"]:
            call_command("demo", stdout=self.stdout)

        env = dict(os.environ, CHORUSBAT_SANDBOX_URL=f"http://127.0.0.1:{options['sandbox_port']}")
        creds = sandbox_credentials()
        if creds:  # the platform's PISTE application for the sandbox environment is the sandbox's seeded one
            env.setdefault("CHORUSBAT_PISTE_SANDBOX_CLIENT_ID", creds["piste"]["client_id"])
            env.setdefault("CHORUSBAT_PISTE_SANDBOX_CLIENT_SECRET", creds["piste"]["client_secret"])
        children: list[tuple[str, subprocess.Popen]] = []

        def stop_all(*_):
            for _name, proc in children:
                if proc.poll() is None:
                    proc.terminate()
            for _name, proc in children:
                try:
                    proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    proc.kill()

        signal.signal(signal.SIGTERM, lambda *_: (stop_all(), sys.exit(0)))
        try:
            for name, cmd, url in self.processes(options):
                proc = subprocess.Popen(cmd, env=env)
                children.append((name, proc))
                if url and not _wait_until_up(url):
                    raise CommandError(f"{name} did not start (waited for {url}).")
                self.stdout.write(f"{name} running (pid {proc.pid}).")
            self.stdout.write(self.style.SUCCESS(
                f"\nchorusbat is running: open http://127.0.0.1:{options['port']}/ "
                f"(Chorus Pro sandbox: http://127.0.0.1:{options['sandbox_port']}/_sim/). Ctrl-C to stop."
            ))
            self.stdout.write(runhelp.text(options["port"]))
            while True:
                for name, proc in children:
                    if proc.poll() is not None:
                        raise CommandError(f"{name} stopped unexpectedly (exit code {proc.returncode}).")
                time.sleep(0.5)
        except KeyboardInterrupt:
            self.stdout.write("\nStopping…")
        finally:
            stop_all()

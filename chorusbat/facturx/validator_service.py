"""The shared validator: one process per machine that runs the two schematrons for every worker of the machine.

Saxon's compiled EN 16931 and CTC FR stylesheets, with the heap Saxon works in, take about 150 MB of a process.
A worker that validates in process carries them itself; with several workers on one machine, ``chorusbat
validator`` carries them once and the workers send it their XML (``CHORUSBAT_VALIDATOR_SOCKET``). It runs the
very same stylesheets as :func:`chorusbat.facturx.schematron.transform_here` and answers the same SVRL; the
workers read it exactly as before, so the gate is as strict either way.

The protocol is in :mod:`chorusbat.facturx.schematron` (one request per connection, length-prefixed JSON). The
socket is a file only its owner can open (created under umask 077), and a worker believes only a validator running
as its own user (:func:`chorusbat.facturx.schematron.same_user`); put it in a directory of that user's, such as
the data directory. Requests are served one at a time, in order of arrival, Saxon running on one thread as it does
in a worker. A request that is malformed, too large or names an unknown stylesheet gets an ``error`` answer and
the service carries on.
"""

from __future__ import annotations

import fcntl
import logging
import os
import signal
import socketserver
import time
from pathlib import Path

from chorusbat.facturx.schematron import (
    BY_NAME,
    REMOTE_TIMEOUT_SECONDS,
    ValidatorUnavailable,
    receive_message,
    send_message,
    transform_here,
    use_validator,
    warm_up,
)

log = logging.getLogger(__name__)


class _Handler(socketserver.BaseRequestHandler):
    def handle(self) -> None:
        self.request.settimeout(REMOTE_TIMEOUT_SECONDS)
        try:
            request = receive_message(self.request)
        except (OSError, ValueError) as error:
            self._answer({"error": f"requête illisible : {error}"})
            return
        self._answer(answer_to(request))

    def _answer(self, answer: dict) -> None:
        try:
            send_message(self.request, answer)
        except (OSError, ValueError) as error:  # the caller gave up (timeout) or the answer is too large
            log.warning("Validator: answer not delivered: %s", error)


def answer_to(request: dict) -> dict:
    """The answer to one request (never raises)."""
    if request.get("ping") is True:
        return {"ready": True}
    name, xml = request.get("schematron"), request.get("xml")
    schematron = BY_NAME.get(name) if isinstance(name, str) else None
    if schematron is None:
        return {"error": f"schematron inconnu : {str(name)[:80]!r}"}
    if not isinstance(xml, str) or not xml:
        return {"error": "aucun XML dans la requête"}
    try:
        return {"svrl": transform_here(schematron, xml)}
    except ValidatorUnavailable as error:
        return {"error": str(error)}


class _Server(socketserver.UnixStreamServer):
    request_queue_size = 64  # every worker of a machine may be waiting at once


def serve(socket_path: str | Path) -> None:
    """Compile the stylesheets, listen on ``socket_path`` and serve until SIGTERM or SIGINT.

    One validator per socket: a lock file beside the socket (``<socket>.lock``, held while serving) makes a second
    one refuse to start, so that neither can remove the other's socket, at start (a stale socket is replaced) or at
    exit."""
    path = Path(socket_path)
    lock = _lock_beside(path)
    started = time.monotonic()
    use_validator(None)  # this process is the validator: it runs the stylesheets itself
    warm_up()  # before listening: a worker that can connect gets an answer at once
    if path.exists() and not path.is_socket():
        raise ValidatorUnavailable(f"{path} existe et n'est pas un socket : choisissez un autre chemin")
    path.unlink(missing_ok=True)  # a socket left by a validator that was killed (we hold the lock)
    old_umask = os.umask(0o077)  # no access for group or others: only this user's processes may connect
    try:
        server = _Server(str(path), _Handler)
    finally:
        os.umask(old_umask)

    def stop(signum, _frame):
        log.info("Validator stopping (signal %s)", signum)
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    log.info("Validator ready on %s (set-up %.1f s)", path, time.monotonic() - started)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        path.unlink(missing_ok=True)
        lock.close()


def _lock_beside(path: Path):
    """Take the lock file of the socket ``path`` for this process's lifetime, or refuse to start."""
    lock = open(path.with_name(path.name + ".lock"), "a")  # noqa: SIM115 - held until the validator stops
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        lock.close()
        raise ValidatorUnavailable(f"un validateur écoute déjà sur {path}") from None
    return lock


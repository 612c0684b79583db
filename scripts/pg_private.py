"""Run a command against a private, throw-away PostgreSQL cluster (Debian's `postgresql` package).

    python scripts/pg_private.py -- pytest -m postgres

creates a cluster in a temporary directory (no system service needed), starts it on a free port of 127.0.0.1,
runs the command with DATABASE_URL pointing at it, then stops the cluster and deletes the directory, whatever
the command's outcome. Exits with the command's exit code. As root, the server runs as the `postgres` system user
(PostgreSQL refuses to run as root).
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile


def _pg_bin(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if found:
        return found[-1]
    path = shutil.which(name)
    if path:
        return path
    sys.exit(f"pg_private: {name} not found; install Debian's postgresql package.")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main(argv: list[str]) -> int:
    if "--" in argv:
        argv = argv[argv.index("--") + 1 :]
    if not argv:
        sys.exit("usage: pg_private.py -- COMMAND [ARGS…]")
    as_root = os.geteuid() == 0
    workdir = tempfile.mkdtemp(prefix="chorusbat-pg-")
    datadir = os.path.join(workdir, "data")
    run_as: list[str] = []
    if as_root:
        pg_user = pwd.getpwnam("postgres")
        os.chown(workdir, pg_user.pw_uid, pg_user.pw_gid)
        run_as = ["runuser", "-u", "postgres", "--"]
    port = _free_port()
    log = os.path.join(workdir, "server.log")
    try:
        subprocess.run(
            [*run_as, _pg_bin("initdb"), "-D", datadir, "-U", "chorusbat", "--auth=trust", "-E", "UTF8",
             "--locale=C.UTF-8"],
            check=True, stdout=subprocess.DEVNULL,
        )
        opts = f"-c listen_addresses=127.0.0.1 -c port={port} -c unix_socket_directories={workdir} " \
               "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
        subprocess.run([*run_as, _pg_bin("pg_ctl"), "-D", datadir, "-l", log, "-o", opts, "-w", "start"],
                       check=True, stdout=subprocess.DEVNULL)
        env = dict(os.environ, DATABASE_URL=f"postgres://chorusbat@127.0.0.1:{port}/postgres")
        print(f"pg_private: PostgreSQL running on 127.0.0.1:{port}", flush=True)
        return subprocess.run(argv, env=env).returncode
    finally:
        if os.path.exists(os.path.join(datadir, "postmaster.pid")):
            subprocess.run([*run_as, _pg_bin("pg_ctl"), "-D", datadir, "-m", "immediate", "-w", "stop"],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

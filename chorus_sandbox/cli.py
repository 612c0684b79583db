"""Command line: ``chorusbat sandbox [--port 8100] [--host 127.0.0.1] [--state FILE] [--seed FILE]
[--clock-speed N] [--token-lifetime S] [--faults FILE] [--print-credentials] [--reset]``."""

from __future__ import annotations

import argparse
import json
import logging
import signal
import sys
import threading
from pathlib import Path

from . import seed as seed_module
from .clock import Clock
from .core import App, Config
from .faults import Faults
from .server import SandboxHTTPServer
from .sim import Sandbox
from .store import Store

DEFAULT_STATE = Path("var") / "sandbox.sqlite3"


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="chorusbat sandbox",
                                     description="Bac à sable Chorus Pro local (PISTE + API).")
    parser.add_argument("--host", default="127.0.0.1", help="adresse d'écoute (défaut 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8100, help="port d'écoute (défaut 8100, 0 = libre)")
    parser.add_argument("--state", default=str(DEFAULT_STATE),
                        help="fichier SQLite de l'état (défaut var/sandbox.sqlite3)")
    parser.add_argument("--seed", default=None,
                        help="fichier de données initiales YAML/JSON (défaut : seed.yaml du paquet)")
    parser.add_argument("--clock-speed", type=float, default=1.0,
                        help="vitesse de l'horloge : 1 = un pas toutes les 6 s, 0 = pas d'horloge (tests)")
    parser.add_argument("--token-lifetime", type=int, default=None, help="durée de vie des jetons OAuth en secondes")
    parser.add_argument("--faults", default=None, help="fichier JSON de pannes {\"seed\": 1, \"rules\": [...]}")
    parser.add_argument("--print-credentials", action="store_true",
                        help="affiche les identifiants du jeu initial et sort")
    parser.add_argument("--reset", action="store_true", help="repart du jeu initial (efface l'état)")
    parser.add_argument("--verbose", action="store_true", help="journal des requêtes sur la sortie d'erreur")
    return parser.parse_args(argv)


def build_sandbox(args: argparse.Namespace) -> Sandbox:
    seed_data = seed_module.load_seed_file(args.seed)
    config = Config(clock_speed=args.clock_speed)
    if args.token_lifetime is not None:
        config.token_lifetime = args.token_lifetime
    app = App(store=Store(args.state), config=config, seed=seed_data)
    startup_faults = json.loads(Path(args.faults).read_text(encoding="utf-8")) if args.faults else {"rules": []}
    sandbox = Sandbox(app=app, faults=Faults(), startup_faults=startup_faults)
    if args.reset:
        sandbox.reset()
    else:
        sandbox.ensure_seeded()
        sandbox.faults.configure(startup_faults.get("rules", []), startup_faults.get("seed", 0))
    return sandbox


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    if args.print_credentials:
        print(json.dumps(seed_module.credentials(seed_module.load_seed_file(args.seed)), indent=2))
        return 0
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(asctime)s sandbox %(levelname)s %(message)s")
    sandbox = build_sandbox(args)
    server = SandboxHTTPServer((args.host, args.port), sandbox)
    clock = Clock(sandbox.app)
    clock.start()
    host, port = server.server_address[:2]
    print(f"Bac à sable Chorus Pro sur http://{host}:{port} (état : {args.state}) — /_sim/ pour l'état", flush=True)

    def stop(*_: object) -> None:
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        clock.stop()
        server.server_close()
        sandbox.app.store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

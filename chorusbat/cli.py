"""The ``chorusbat`` console command.

``chorusbat sandbox …`` starts the local Chorus Pro sandbox, a separate package that shares no code with
chorusbat; everything else is a Django management command (``chorusbat migrate``, ``chorusbat worker``,
``chorusbat situation compute FILE.json``, …).
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv if argv is None else argv)
    if len(argv) > 1 and argv[1] == "sandbox":
        from chorus_sandbox.cli import main as sandbox_main

        return sandbox_main(argv[2:])
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chorusbat.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["chorusbat", *argv[1:]])
    return 0

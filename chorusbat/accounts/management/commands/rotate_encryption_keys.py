"""The old name of `chorusbat rotate-encryption-keys`, kept for existing scripts (commands are named with hyphens)."""

import importlib

Command = importlib.import_module("chorusbat.accounts.management.commands.rotate-encryption-keys").Command

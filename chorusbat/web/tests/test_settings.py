"""Production mode refuses to start without its secrets; local mode generates them once."""

import os
import subprocess
import sys


def run_check(tmp_path, **env):
    base = {k: v for k, v in os.environ.items() if not k.startswith("CHORUSBAT_") and k != "DJANGO_SETTINGS_MODULE"}
    base.update({"CHORUSBAT_DATA_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "chorusbat.settings"}, **env)
    return subprocess.run([sys.executable, "-m", "chorusbat", "check"], env=base, capture_output=True, text=True,
                          timeout=120)


def test_production_needs_a_secret_key(tmp_path):
    r = run_check(tmp_path, CHORUSBAT_MODE="production", CHORUSBAT_ENCRYPTION_KEYS="x")
    assert r.returncode != 0 and "CHORUSBAT_SECRET_KEY" in r.stderr


def test_production_needs_encryption_keys(tmp_path):
    r = run_check(tmp_path, CHORUSBAT_MODE="production", CHORUSBAT_SECRET_KEY="s" * 50)
    assert r.returncode != 0 and "CHORUSBAT_ENCRYPTION_KEYS" in r.stderr


def test_local_mode_generates_keys_once(tmp_path):
    assert run_check(tmp_path).returncode == 0
    key = (tmp_path / "encryption_key").read_text()
    assert run_check(tmp_path).returncode == 0
    assert (tmp_path / "encryption_key").read_text() == key
    assert oct((tmp_path / "encryption_key").stat().st_mode & 0o777) == "0o600"

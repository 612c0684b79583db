"""The reference example of situation-rules.md, through the engine and through the command line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from chorusbat.engine import compute_situation_file, load_situation_file
from conftest import EXAMPLES_DIR

EXAMPLES = EXAMPLES_DIR
INPUT = EXAMPLES / "situation-file.example.json"
EXPECTED = EXAMPLES / "situation-file.example.expected.json"
ROOT = Path(__file__).resolve().parents[3]


def run_cli(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "chorusbat.settings_test"}
    return subprocess.run(
        [sys.executable, "-m", "chorusbat", "situation", *args],
        capture_output=True, text=True, encoding="utf-8", env=env, cwd=ROOT, timeout=60,
    )


def test_engine_reproduces_the_expected_output():
    result = compute_situation_file(load_situation_file(INPUT))
    assert result == json.loads(EXPECTED.read_text(encoding="utf-8"))
    # The expected file is written with indent=1: the bytes must match too.
    assert json.dumps(result, indent=1, ensure_ascii=False) + "\n" == EXPECTED.read_text(encoding="utf-8")


def test_command_prints_the_expected_output_byte_for_byte():
    completed = run_cli("compute", str(INPUT))
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout == EXPECTED.read_text(encoding="utf-8")
    assert completed.stderr == ""


def test_command_prints_every_validation_error_on_stderr_and_exits_2(tmp_path):
    data = json.loads(INPUT.read_text(encoding="utf-8"))
    data["situations"][0]["progress"]["7.1"] = "120"
    data["situations"][1]["progress"]["9.9"] = "1"
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    completed = run_cli("compute", str(path))
    assert completed.returncode == 2
    assert completed.stdout == ""
    assert completed.stderr.splitlines() == [
        "Situation F2026-0093, ligne 7.1, avancement : le pourcentage doit être compris entre 0 et 100 (reçu 120).",
        "Situation F2026-0107, ligne 9.9, avancement : cette ligne n'existe pas dans le marché.",
    ]


def test_command_refuses_invalid_json_with_a_french_message(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('{"market": {\n  "lines": [,]}}', encoding="utf-8")
    completed = run_cli("compute", str(path))
    assert completed.returncode == 2
    assert completed.stderr.strip() == f"Fichier : « {path} » n'est pas un JSON valide (erreur ligne 2, colonne 13)."
    assert "Traceback" not in completed.stderr


def call_situation(*args: str) -> tuple[int, str, str]:
    """Run the command in-process; returns (exit code, stdout, stderr)."""
    out, err = StringIO(), StringIO()
    try:
        call_command("situation", *args, stdout=out, stderr=err)
        code = 0
    except SystemExit as exit_:
        code = exit_.code
    return code, out.getvalue(), err.getvalue()


def test_compute_reports_a_missing_file(tmp_path):
    code, out, err = call_situation("compute", str(tmp_path / "absent.json"))
    assert (code, out) == (2, "")
    assert err.strip() == f"Fichier : impossible de lire « {tmp_path / 'absent.json'} » : fichier introuvable."


def test_compute_reports_a_file_that_is_not_utf8(tmp_path):
    path = tmp_path / "latin1.json"
    path.write_bytes('{"supplier": "Société"}'.encode("latin-1"))
    code, _, err = call_situation("compute", str(path))
    assert code == 2
    assert "n'est pas un texte encodé en UTF-8" in err


def test_render_delegates_to_the_facturx_module(monkeypatch, tmp_path):
    import importlib

    calls = []

    def render_situation_file(path, out_dir):
        calls.append((path, out_dir))
        return 3

    command = importlib.import_module("chorusbat.situations.management.commands.situation")
    monkeypatch.setattr(command, "render_situation_file", render_situation_file)
    code, _, _ = call_situation("render", str(INPUT), "--out-dir", str(tmp_path))
    assert code == 3
    assert calls == [(str(INPUT), str(tmp_path))]


@pytest.mark.parametrize("args", [(), ("compute",)])
def test_missing_arguments_are_usage_errors(args):
    with pytest.raises(Exception) as raised:
        call_command("situation", *args)
    assert "argument obligatoire manquant" in str(raised.value)

"""The shared validator (`chorusbat validator`): a real process on a Unix socket, giving the same verdicts as the
in-process gate, and never a pass when it cannot answer."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from lxml import etree

from chorusbat.facturx import ValidatorUnavailable, build_xml, schematron, validate_xml
from chorusbat.facturx.xml_builder import NSMAP

from .factories import example_file, invoices

ROOT = Path(__file__).resolve().parents[3]


def start_validator(socket_path: Path, log_path: Path) -> subprocess.Popen:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "chorusbat.settings_test"}
    with open(log_path, "ab") as log:
        process = subprocess.Popen([sys.executable, "-m", "chorusbat", "validator", "--socket", str(socket_path)],
                                   stdout=log, stderr=subprocess.STDOUT, cwd=ROOT, env=env)
    deadline = time.monotonic() + 60
    try:
        while not schematron.validator_answers(socket_path):
            assert process.poll() is None, log_path.read_text()
            assert time.monotonic() < deadline, "the validator did not start in 60 s"
            time.sleep(0.1)
    except BaseException:
        process.kill()
        process.wait()
        raise
    return process


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=15)


@pytest.fixture
def validator(tmp_path):
    """A running validator, and this process's gate sending its schematrons to it."""
    socket_path = tmp_path / "validator.sock"
    process = start_validator(socket_path, tmp_path / "validator.log")
    schematron.use_validator(str(socket_path))
    try:
        yield process, socket_path
    finally:
        schematron.use_validator(None)
        stop(process)


def tampered(xml: bytes) -> bytes:
    tree = etree.fromstring(xml)
    tree.xpath("//ram:SpecifiedTradeSettlementHeaderMonetarySummation/ram:GrandTotalAmount",
               namespaces=NSMAP)[0].text = "99999.99"
    return etree.tostring(tree, xml_declaration=True, encoding="UTF-8")


def test_the_shared_validator_gives_the_same_verdicts_as_the_process_itself(validator):
    _process, socket_path = validator
    assert stat.S_IMODE(socket_path.stat().st_mode) & 0o077 == 0  # only the owner's processes may connect
    schematron.warm_up()  # with a shared validator: a ping
    data = invoices(example_file())[1]
    good, bad = build_xml(data), tampered(build_xml(data))

    remote_good, remote_bad = validate_xml(good, data), validate_xml(bad, data)
    schematron.use_validator(None)
    local_good, local_bad = validate_xml(good, data), validate_xml(bad, data)

    assert remote_good.ok and local_good.ok
    assert not remote_bad.ok
    assert {"BR-CO-15", "BR-CO-16"} <= remote_bad.rules
    assert [str(issue) for issue in remote_bad.issues] == [str(issue) for issue in local_bad.issues]
    assert [str(issue) for issue in remote_good.waived] == [str(issue) for issue in local_good.waived]


def test_bad_requests_get_an_error_and_the_validator_carries_on(validator):
    _process, socket_path = validator

    def ask(raw: bytes) -> dict:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as connection:
            connection.connect(str(socket_path))
            connection.sendall(raw)
            return schematron.receive_message(connection)

    too_long = (schematron.MAX_MESSAGE_BYTES + 1).to_bytes(4, "big")
    assert "limite" in ask(too_long)["error"]
    assert "illisible" in ask(b"\x00\x00\x00\x03abc")["error"]
    unknown = b'{"schematron": "XYZ", "xml": "<a/>"}'
    assert "inconnu" in ask(len(unknown).to_bytes(4, "big") + unknown)["error"]
    with pytest.raises(ValidatorUnavailable, match="Saxon|XML|parse|SXXP|Error"):
        schematron.run_schematron(schematron.EN16931, b"<a", etree.fromstring(b"<a/>"))
    data = invoices(example_file())[0]
    assert validate_xml(build_xml(data), data).ok  # still serving


def test_a_validator_that_is_gone_is_never_a_pass(validator, tmp_path):
    process, socket_path = validator
    data = invoices(example_file())[0]
    stop(process)
    with pytest.raises(ValidatorUnavailable, match="validateur partagé injoignable"):
        validate_xml(build_xml(data), data)
    with pytest.raises(ValidatorUnavailable):
        schematron.warm_up()

    # A new validator on the same path (the old socket file is gone or stale) serves again.
    restarted = start_validator(socket_path, tmp_path / "again.log")
    try:
        assert validate_xml(build_xml(data), data).ok
    finally:
        stop(restarted)


def test_a_second_validator_on_a_live_socket_refuses_to_start(validator, tmp_path):
    _process, socket_path = validator
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "chorusbat.settings_test"}
    second = subprocess.run([sys.executable, "-m", "chorusbat", "validator", "--socket", str(socket_path)],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert second.returncode != 0
    assert "écoute déjà" in second.stderr
    data = invoices(example_file())[0]
    assert validate_xml(build_xml(data), data).ok  # the first one still answers


def test_odd_requests_get_an_error_not_a_crash(validator):
    _process, socket_path = validator
    for request in ({"schematron": ["EN16931"], "xml": "<a/>"}, {"schematron": "EN16931", "xml": 12},
                    {"ping": "yes"}, {}):
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as connection:
            connection.connect(str(socket_path))
            schematron.send_message(connection, request)
            assert "error" in schematron.receive_message(connection), request
    assert schematron.validator_answers(socket_path)


FAKE_VALIDATOR = """
import json, socket, struct
PASS = ('<svrl:schematron-output xmlns:svrl="http://purl.oclc.org/dsdl/svrl">'
        '<svrl:fired-rule context="/"/></svrl:schematron-output>')
server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
server.bind({path!r})
server.listen(8)
while True:
    connection, _ = server.accept()
    answer = json.dumps({{"svrl": PASS, "ready": True}}).encode()
    try:
        connection.sendall(struct.pack(">I", len(answer)) + answer)
    except OSError:
        pass
    connection.close()
"""


SYSTEM_PYTHON = "/usr/bin/python3"  # the fake runs as nobody, who cannot reach this virtualenv's interpreter


@pytest.mark.skipif(os.getuid() != 0 or not Path(SYSTEM_PYTHON).exists(),
                    reason="starting a process as another user needs root (as make test runs) and Debian's python3")
def test_a_socket_of_another_user_is_never_believed():
    """Someone else's process at the validator's path answering « no failure » must not make a document pass."""
    shared = Path(tempfile.mkdtemp(prefix="chorusbat-shared-"))  # not under pytest's 0700 directory
    shared.chmod(0o777)
    socket_path = shared / "validator.sock"
    fake = subprocess.Popen([SYSTEM_PYTHON, "-c", FAKE_VALIDATOR.format(path=str(socket_path))],
                            user=65534, group=65534, cwd=shared, env={"PATH": os.environ["PATH"]})
    try:
        deadline = time.monotonic() + 30
        while not socket_path.exists():
            assert fake.poll() is None and time.monotonic() < deadline
            time.sleep(0.05)
        schematron.use_validator(str(socket_path))
        data = invoices(example_file())[0]
        with pytest.raises(ValidatorUnavailable, match="ne tourne pas sous l'utilisateur"):
            validate_xml(tampered(build_xml(data)), data)
        with pytest.raises(ValidatorUnavailable):
            schematron.warm_up()
    finally:
        schematron.use_validator(None)
        fake.kill()
        fake.wait()
        shutil.rmtree(shared, ignore_errors=True)


def test_the_validator_never_replaces_a_file_that_is_not_a_socket(tmp_path):
    precious = tmp_path / "chorusbat.sqlite3"
    precious.write_bytes(b"data")
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "chorusbat.settings_test"}
    refused = subprocess.run([sys.executable, "-m", "chorusbat", "validator", "--socket", str(precious)],
                             cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert refused.returncode != 0 and "n'est pas un socket" in refused.stderr
    assert precious.read_bytes() == b"data"

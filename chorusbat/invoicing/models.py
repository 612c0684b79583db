"""The Factur-X document of a validated situation, stored once and never rebuilt.

What chorusbat deposits in Chorus Pro must be exactly the bytes that passed the validation gate, so the
document is produced once (:func:`chorusbat.invoicing.services.ready_document`), and its PDF and XML bytes
are kept here with their SHA-256. A ``ready`` row is immutable: every later use (preview, download, deposit)
reads these bytes after checking their digests. An ``invalid`` row only keeps the failed report, to show on
the situation page; it carries no bytes and is replaced by the next attempt.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
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


class AttachmentKind(models.TextChoices):
    ATTACHEMENT = "attachement", _("site measurement sheet (attachement)")
    PV = "pv", _("acceptance or meeting report (PV)")
    PHOTO = "photo", _("site photo")
    OTHER = "other", _("other supporting document")


class SituationAttachment(models.Model):
    """A supporting document sent with a situation: the exact bytes checked at upload, with their SHA-256.

    Embedded in the Factur-X (BG-24 and a PDF/A-3 file, AFRelationship Supplement) and, for a works piece, also
    uploaded as a complementary attachment. Added or removed only while the situation is not handed to the
    gateway (:mod:`chorusbat.invoicing.attachments`); frozen afterwards, like the document.
    """

    situation = models.ForeignKey(Situation, on_delete=models.CASCADE, related_name="attachments")
    filename = models.CharField(_("file name"), max_length=50)
    mime = models.CharField(max_length=20)
    kind = models.CharField(_("kind"), max_length=12, choices=AttachmentKind.choices, default=AttachmentKind.OTHER)
    description = models.CharField(_("description"), max_length=120, blank=True)
    data = models.BinaryField()
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("attachment")
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["situation", "filename"], name="one_attachment_name_per_situation"),
        ]

    def __str__(self) -> str:
        return f"{self.filename} ({self.situation_id})"

    @property
    def data_bytes(self) -> bytes:
        return bytes(self.data)

    @property
    def label(self) -> str:
        """What the documents and Chorus Pro call it: the kind (in French, whatever the page's language, since it
        is part of the invoice's inputs), and the description when there is one."""
        from django.utils import translation

        with translation.override("fr"):
            kind = str(self.get_kind_display())
        kind = kind[:1].upper() + kind[1:]
        return f"{kind} — {self.description}" if self.description else kind

"""Validators for identifiers users type: SIRET, Chorus Pro technical login."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum.exceptions import InvalidChecksum, InvalidFormat, InvalidLength
from stdnum.fr import siret as stdnum_siret

# Current and older technical-account login shapes (chorus-pro-api.md §4).
TECHNICAL_LOGIN_PATTERNS = (
    re.compile(r"^TECH_1_\d{14}@cpro\.fr$", re.IGNORECASE),
    re.compile(r"^TECH_\d+@cpp2017\.fr$", re.IGNORECASE),
)


def normalize_siret(value: str) -> str:
    """Drop the spaces (and the dots some people type) from a SIRET."""
    return re.sub(r"[\s.]", "", value or "")


def validate_siret(value: str) -> None:
    """14 digits with a valid Luhn key, or a La Poste establishment (SIREN 356000000, digit sum multiple of 5).

    The check itself is python-stdnum's, which knows the La Poste exception.
    """
    number = normalize_siret(value)
    if not number.isdigit() or not number.isascii():
        raise ValidationError(_("A SIRET number contains digits only."), code="siret_format")
    if len(number) != 14:
        raise ValidationError(
            _("A SIRET number has 14 digits (%(count)d typed)."), code="siret_length", params={"count": len(number)}
        )
    try:
        stdnum_siret.validate(number)
    except InvalidChecksum:
        raise ValidationError(
            _("This SIRET number is not valid: its check digit is wrong. Check for a typing error."),
            code="siret_checksum",
        ) from None
    except (InvalidFormat, InvalidLength):  # pragma: no cover - covered by the checks above
        raise ValidationError(_("This SIRET number is not valid."), code="siret_invalid") from None


def technical_login_warning(login: str) -> str | None:
    """A warning (not an error) when a technical login does not look like Chorus Pro's usual shapes."""
    if not login:
        return None
    if not login.upper().startswith("TECH_"):
        return str(
            _(
                "Chorus Pro technical accounts usually start with TECH_ (for example "
                "TECH_1_12345678901234@cpro.fr). Check that this is the technical account and not a personal login."
            )
        )
    if not any(p.match(login) for p in TECHNICAL_LOGIN_PATTERNS):
        return str(_("This login does not have the usual shape of a Chorus Pro technical account. Check it."))
    return None

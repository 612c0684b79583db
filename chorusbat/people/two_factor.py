"""Optional two-factor authentication (TOTP app + recovery codes), required for administrators when
``REQUIRE_ADMIN_TWO_FACTOR`` is on (environment ``CHORUSBAT_REQUIRE_ADMIN_2FA=1``; off by default)."""

from __future__ import annotations

import base64
import io

from django.conf import settings
from django.db import transaction
from django_otp import user_has_device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

RECOVERY_CODES = 10
TOTP_NAME = "Application"
STATIC_NAME = "Codes de secours"


def required_for(membership) -> bool:
    return bool(getattr(settings, "REQUIRE_ADMIN_TWO_FACTOR", False) and membership is not None
                and membership.is_admin)


def enabled(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


# Whether the logged-in user had two-factor authentication when the session began (set at login, so that the
# pages of users without it cost no query). Turning it on or off updates the current session.
SESSION_KEY = "chorusbat_two_factor"


def has_device(user) -> bool:
    return user_has_device(user, confirmed=True)


def session_has_device(request) -> bool:
    value = request.session.get(SESSION_KEY)
    if value is None:  # a session opened before this setting existed
        value = request.session[SESSION_KEY] = has_device(request.user)
    return value


def remember(request, value: bool) -> None:
    request.session[SESSION_KEY] = value


def pending_device(user) -> TOTPDevice:
    """The unconfirmed TOTP device being set up (one per user, kept until confirmed)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=user, name=TOTP_NAME, confirmed=False)


def secret_text(device: TOTPDevice) -> str:
    """The key as the authenticator apps want it typed (base32, in groups of four)."""
    raw = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(raw[i:i + 4] for i in range(0, len(raw), 4))


def qr_data_uri(device: TOTPDevice) -> str:
    import qrcode
    import qrcode.image.svg

    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    buffer = io.BytesIO()
    image.save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()


@transaction.atomic
def new_recovery_codes(user) -> list[str]:
    """Replace the user's recovery codes with fresh ones (each usable once) and return them to show once."""
    device, _created = StaticDevice.objects.get_or_create(user=user, name=STATIC_NAME, defaults={"confirmed": True})
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _i in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


def remaining_codes(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__name=STATIC_NAME).count()


@transaction.atomic
def disable(user) -> None:
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()

"""Second step of the login: a user with a confirmed device must enter a code before anything else; an
administrator must set one up first when the setting requires it. Users without two-factor authentication (the
default) are not affected."""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse

from chorusbat.people import two_factor

OPEN_PREFIXES = ("/healthz", "/readyz", "/metrics", "/ops/")


class TwoFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not _verified(user) and not self._open(request.path_info):
            if two_factor.session_has_device(request):
                return redirect(f"{reverse('people:verify')}?{urlencode({'next': request.get_full_path()})}")
            if two_factor.required_for(getattr(request, "membership", None)):
                return redirect("people:two_factor")
        return self.get_response(request)

    @staticmethod
    def _open(path: str) -> bool:
        static = "/" + settings.STATIC_URL.lstrip("/")
        return (path.startswith(static) or path.startswith(OPEN_PREFIXES)
                or path in (reverse("people:verify"), reverse("people:two_factor"), reverse("logout")))


def _verified(user) -> bool:
    is_verified = getattr(user, "is_verified", None)
    return bool(is_verified and is_verified())

"""Doing a form's work once, however many times it is posted (double click, retry, two requests at once).

Every creating form carries a one-time token (editing forms do not: a page shown again by the browser's back
button must still save what is typed in it) (``{% form_token %}``, a hidden ``form_token`` field). The view runs
its work through :func:`once`: in one transaction, the token is recorded (a unique row) together with what the
work creates. A second request with the same token — after the first, or at the same moment — cannot record it
again: the database makes it wait for the first one and then refuses the duplicate row (PostgreSQL and SQLite
alike), and the second request answers with the first one's result page instead of creating anything.
"""

from __future__ import annotations

import datetime
import secrets

from django.db import IntegrityError, transaction
from django.shortcuts import redirect
from django.utils import timezone

from chorusbat.web.models import SubmittedForm

FIELD = "form_token"
KEEP = datetime.timedelta(days=2)


class AlreadySubmitted(Exception):
    """This token's work was done by an earlier (or concurrent) request; ``url`` is the page it led to."""

    def __init__(self, url: str):
        super().__init__(url)
        self.url = url

    def response(self):
        return redirect(self.url)


def new_token() -> str:
    return secrets.token_urlsafe(24)


def token_of(request) -> str:
    """The posted token, if it looks like one of ours (anything else counts as no token)."""
    token = request.POST.get(FIELD, "") if request.method == "POST" else ""
    return token if 16 <= len(token) <= 64 and token.replace("-", "").replace("_", "").isalnum() else ""


def previous_result(request, token: str) -> str | None:
    if not token:
        return None
    return (SubmittedForm.objects.filter(token=token, user=request.user).exclude(result_url="")
            .values_list("result_url", flat=True).first())


def check_not_submitted(request, token: str | None = None) -> None:
    """Raise :class:`AlreadySubmitted` when this request's token was already used (before validating anything)."""
    url = previous_result(request, token_of(request) if token is None else token)
    if url:
        raise AlreadySubmitted(url)


def bound_once(request, bind):
    """The posted creating form, bound by ``bind()`` and validated — unless this request's token was already used:
    then :class:`AlreadySubmitted` (the first submission's page). Checked before validating (posted twice: nothing
    validated again), and again when the form is invalid (invalid only because the same submission, just saved
    by another request, now exists). The valid form's work then runs through :func:`once`."""
    check_not_submitted(request)
    form = bind()
    if not form.is_valid():
        check_not_submitted(request)
    return form


def once(request, work, token: str | None = None):
    """Run ``work()`` — which returns the URL of the resulting page — at most once for this request's token
    (the posted ``form_token``, or ``token`` when the form has its own one-time token).

    ``work`` runs inside the transaction that records the token; it may lock rows and raise to roll everything
    back. Raises :class:`AlreadySubmitted` when another request did the work for this token.
    """
    token = token_of(request) if token is None else token
    if not token:  # a client that sends no token (tests, scripts): the work runs, guarded by the constraints
        with transaction.atomic():
            return work()
    check_not_submitted(request, token)
    try:
        with transaction.atomic():
            record = SubmittedForm.objects.create(token=token, user=request.user)
            url = work()
            record.result_url = url
            record.save(update_fields=["result_url"])
    except IntegrityError:
        url = previous_result(request, token)
        if url:
            raise AlreadySubmitted(url) from None
        raise
    SubmittedForm.objects.filter(user=request.user, created_at__lt=timezone.now() - KEEP).delete()
    return url

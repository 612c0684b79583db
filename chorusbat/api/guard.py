"""Around every API view: idempotent ``POST`` (``Idempotency-Key``) and the audit trail of calls.

A ``POST`` with an ``Idempotency-Key`` records a placeholder under a unique (key, Idempotency-Key) constraint
before running, then the answer. The same key with the same request (method, path, body) gets the first answer
again (header ``Idempotent-Replayed: true``); with another request, 422; while the first one still runs, 409.
Answers that say "try again" (401, 429, 5xx) are not kept, so the client may retry with the same key.
"""

from __future__ import annotations

import hashlib
import time
from datetime import timedelta
from functools import wraps

from django.db import IntegrityError, transaction
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from chorusbat.api import keys
from chorusbat.api.models import ApiCall, IdempotencyRecord
from chorusbat.api.problems import problem_response

NOT_KEPT = {401, 429}
ABANDONED = timedelta(minutes=5)  # a first request without an answer after this long died


def _bearer(request) -> str:
    value = request.headers.get("Authorization", "")
    scheme, _sep, token = value.partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


def fingerprint(request) -> str:
    digest = hashlib.sha256(f"{request.method} {request.path}\n".encode())
    content_type = request.content_type or ""
    if content_type.startswith("multipart/"):
        # The boundary changes from one sending to the next: hash the fields and files, not the raw body.
        for name in sorted(request.POST):
            for value in request.POST.getlist(name):
                digest.update(f"{name}={value}\n".encode())
        for name in sorted(request.FILES):
            for upload in request.FILES.getlist(name):
                digest.update(f"{name}:{upload.name}\n".encode())
                for chunk in upload.chunks():
                    digest.update(chunk)
                upload.seek(0)
    else:
        digest.update(request.body)
    return digest.hexdigest()


def _audit(request, response, started: float) -> None:
    key = getattr(request, "api_key", None)
    if key is None:
        return
    match = getattr(request, "resolver_match", None)
    route = f"/{match.route}" if match is not None and match.route else request.path
    ApiCall.objects.create(api_key=key, company_id=key.company_id, method=request.method, route=route[:300],
                           status=response.status_code, duration_ms=int((time.monotonic() - started) * 1000))


def guarded(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        started = time.monotonic()
        record = None
        idem = request.headers.get("Idempotency-Key")
        if request.method == "POST" and idem is not None:
            key = keys.authenticate(_bearer(request))
            if key is not None:
                if not 1 <= len(idem) <= 255:
                    return problem_response(400, _("The Idempotency-Key header must have 1 to 255 characters."))
                print_ = fingerprint(request)
                try:
                    with transaction.atomic():
                        record = IdempotencyRecord.objects.create(api_key=key, key=idem, fingerprint=print_)
                except IntegrityError:
                    first = IdempotencyRecord.objects.filter(api_key=key, key=idem).first()
                    if first is not None and first.status is None and first.created_at < timezone.now() - ABANDONED:
                        # The first request died without an answer (a killed process): start afresh.
                        IdempotencyRecord.objects.filter(pk=first.pk, status__isnull=True).delete()
                        return wrapper(request, *args, **kwargs)
                    if first is None:  # deleted meanwhile (the first request failed): try again
                        return wrapper(request, *args, **kwargs)
                    request.api_key = key
                    if first.fingerprint != print_:
                        response = problem_response(422, _(
                            "This Idempotency-Key was already used for another request; use a new key for a "
                            "new request."), slug="idempotency-key-reused")
                    elif first.status is None:
                        response = problem_response(409, _(
                            "The first request with this Idempotency-Key is still running; try again in a "
                            "moment."), slug="idempotency-in-progress", headers={"Retry-After": "1"})
                    else:
                        response = HttpResponse(bytes(first.body), status=first.status,
                                                content_type=first.content_type)
                        response["Idempotent-Replayed"] = "true"
                    _audit(request, response, started)
                    return response
        try:
            response = view(request, *args, **kwargs)
        except BaseException:
            if record is not None:
                IdempotencyRecord.objects.filter(pk=record.pk).delete()
            raise
        if record is not None:
            if response.status_code in NOT_KEPT or response.status_code >= 500 or getattr(response, "streaming", False):
                IdempotencyRecord.objects.filter(pk=record.pk).delete()
            else:
                IdempotencyRecord.objects.filter(pk=record.pk).update(
                    status=response.status_code, content_type=response.get("Content-Type", ""),
                    body=response.content)
        _audit(request, response, started)
        return response

    return wrapper

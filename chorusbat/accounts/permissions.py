"""Access rules: every view works inside the user's own company; some need an administrator."""

from __future__ import annotations

from functools import wraps

from django.core.exceptions import PermissionDenied


def member_required(view):
    """The user must belong to a company; ``request.membership`` is then set."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if getattr(request, "membership", None) is None:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def admin_required(view):
    """The user must be an administrator of their company."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        m = getattr(request, "membership", None)
        if m is None or not m.is_admin:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    wrapper.admin_only = True  # screens never show a site manager a button leading here (tested)
    return wrapper

"""Layout-level views: home page and the French error pages (400, 403, 404, 405, 500, CSRF failure).

With ``DEBUG`` off (every mode unless ``CHORUSBAT_DEBUG=1``) these are the only error pages anyone sees: no
traceback, no setting, no path of the code.
"""

from django.http import HttpResponseServerError
from django.shortcuts import redirect, render
from django.template.loader import render_to_string


def home(request):
    return redirect("gateway:dashboard")


def bad_request(request, exception=None):
    return render(request, "web/400.html", status=400)


def forbidden(request, exception=None):
    return render(request, "web/403.html", status=403)


def csrf_failure(request, reason=""):
    return render(request, "web/403_csrf.html", status=403)


def not_found(request, exception=None):
    return render(request, "web/404.html", status=404)


def method_not_allowed(request):
    return render(request, "web/405.html", status=405)


def server_error(request):
    # No request context: whatever failed (database, context processors) must not make the error page fail too.
    return HttpResponseServerError(render_to_string("web/500.html"))

"""``/api/v1/``: the API's own authentication (keys), so Django's login requirement does not apply there."""

from functools import wraps

from django.contrib.auth.decorators import login_not_required
from django.urls import URLPattern, re_path
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from chorusbat.api.api import api
from chorusbat.api.problems import problem_response


def _problems_for_other_methods(view):
    """Django answers a method a route does not have with a bare 405: make it a problem too."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if response.status_code == 405 and not response.get("Content-Type", "").startswith("application/problem"):
            allowed = response.get("Allow", "")
            response = problem_response(405, _("This route does not accept the %(method)s method (allowed: "
                                               "%(allowed)s).") % {"method": request.method, "allowed": allowed},
                                        instance=request.path, headers={"Allow": allowed} if allowed else None)
        return response

    return wrapper


def _open(pattern):
    if isinstance(pattern, URLPattern):
        pattern.callback = login_not_required(_problems_for_other_methods(pattern.callback))
    return pattern


@login_not_required
@csrf_exempt
def unknown_route(request, rest=""):
    return problem_response(404, _("This route does not exist in the API (see /api/v1/docs)."), instance=request.path)


_patterns, _app, _namespace = api.urls
app_name = "api"
urlpatterns = [_open(p) for p in _patterns] + [re_path(r"^(?P<rest>.*)$", unknown_route)]

"""``/api/v1/``: the API's own authentication (keys), so Django's login requirement does not apply there."""

from django.contrib.auth.decorators import login_not_required
from django.urls import URLPattern, path, re_path
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from chorusbat.api.api import api
from chorusbat.api.problems import problem_response


def _open(pattern):
    if isinstance(pattern, URLPattern):
        pattern.callback = login_not_required(pattern.callback)
    return pattern


@login_not_required
@csrf_exempt
def unknown_route(request, rest=""):
    return problem_response(404, _("This route does not exist in the API (see /api/v1/docs)."), instance=request.path)


_patterns, _app, _namespace = api.urls
app_name = "api"
urlpatterns = [_open(p) for p in _patterns] + [re_path(r"^(?P<rest>.*)$", unknown_route)]

"""Error responses Django builds without a page (405 Method Not Allowed) get the French one."""

from chorusbat.web.views import method_not_allowed


class FrenchErrorPagesMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code == 405 and not response.content:
            allow = response.get("Allow")
            response = method_not_allowed(request)
            if allow:
                response["Allow"] = allow
        return response

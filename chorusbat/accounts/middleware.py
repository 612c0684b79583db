"""Attach the logged-in user's membership (and so their company) to the request."""

from chorusbat.accounts.models import Membership


class CurrentMembershipMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.membership = None
        if request.user.is_authenticated:
            request.membership = (
                Membership.objects.select_related("company").filter(user=request.user).first()
            )
        return self.get_response(request)

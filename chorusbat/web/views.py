"""Layout-level views: home page and error pages."""

from django.shortcuts import redirect, render


def home(request):
    return redirect("gateway:dashboard")


def forbidden(request, exception=None):
    return render(request, "web/403.html", status=403)


def not_found(request, exception=None):
    return render(request, "web/404.html", status=404)

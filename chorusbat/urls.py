from django.contrib.auth import views as auth_views
from django.urls import include, path

from chorusbat.ops import health, metrics
from chorusbat.web import views as web_views

urlpatterns = [
    path("", web_views.home, name="home"),
    path(
        "connexion/",
        auth_views.LoginView.as_view(template_name="web/login.html", redirect_authenticated_user=True),
        name="login",
    ),
    path("deconnexion/", auth_views.LogoutView.as_view(), name="logout"),
    path("compte/", include("chorusbat.accounts.urls")),
    path("compte/api/", include("chorusbat.api.urls_account")),
    path("marches/", include("chorusbat.markets.urls")),
    path("situations/", include("chorusbat.situations.urls")),
    path("documents/", include("chorusbat.invoicing.urls")),
    path("transmissions/", include("chorusbat.gateway.urls")),
    path("factures/", include("chorusbat.books.urls")),
    path("contrats/", include("chorusbat.contracts.urls")),
    path("", include("chorusbat.people.urls")),
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("metrics", metrics.metrics_view, name="metrics"),
    path("ops/error-probe", health.error_probe, name="error-probe"),
    path("api/v1/", include("chorusbat.api.urls")),
]

handler400 = "chorusbat.web.views.bad_request"
handler403 = "chorusbat.web.views.forbidden"
handler404 = "chorusbat.web.views.not_found"
handler500 = "chorusbat.web.views.server_error"

from django.contrib.auth import views as auth_views
from django.urls import include, path

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
    path("api/v1/", include("chorusbat.api.urls")),
]

handler403 = "chorusbat.web.views.forbidden"
handler404 = "chorusbat.web.views.not_found"

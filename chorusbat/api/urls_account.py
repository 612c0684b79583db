"""Mon compte › API et webhooks (``/compte/api/``)."""

from django.urls import path

from chorusbat.api import views

app_name = "api_access"
urlpatterns = [
    path("", views.access, name="access"),
    path("cles/", views.key_create, name="key_create"),
    path("cles/<int:pk>/revoquer/", views.key_revoke, name="key_revoke"),
    path("webhooks/envois/<int:pk>/renvoyer/", views.delivery_replay, name="delivery_replay"),
]

from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from chorusbat.people import views, views_2fa

app_name = "people"
urlpatterns = [
    path("compte/membres/", views.member_list, name="members"),
    path("compte/membres/<int:pk>/<str:action>/", views.member_action, name="member_action"),
    path("invitation/<str:uidb64>/<str:token>/", views.accept_invitation, name="invitation"),
    path("compte/notifications/", views.notification_preferences, name="notifications"),
    path("connexion/verification/", views_2fa.verify, name="verify"),
    path("compte/double-authentification/", views_2fa.setup, name="two_factor"),
    path("compte/mot-de-passe/", auth_views.PasswordChangeView.as_view(
        template_name="people/password_change.html", success_url=reverse_lazy("people:password_change_done")),
        name="password_change"),
    path("compte/mot-de-passe/modifie/", auth_views.PasswordChangeDoneView.as_view(
        template_name="people/password_change_done.html"), name="password_change_done"),
    path("connexion/mot-de-passe-oublie/", auth_views.PasswordResetView.as_view(
        template_name="people/password_reset_form.html",
        email_template_name="people/emails/password_reset.txt",
        html_email_template_name="people/emails/password_reset.html",
        subject_template_name="people/emails/password_reset_subject.txt",
        success_url=reverse_lazy("people:password_reset_done")), name="password_reset"),
    path("connexion/mot-de-passe-oublie/envoye/", auth_views.PasswordResetDoneView.as_view(
        template_name="people/password_reset_done.html"), name="password_reset_done"),
    path("connexion/reinitialiser/<uidb64>/<token>/", auth_views.PasswordResetConfirmView.as_view(
        template_name="people/password_reset_confirm.html",
        success_url=reverse_lazy("people:password_reset_complete")), name="password_reset_confirm"),
    path("connexion/reinitialiser/termine/", auth_views.PasswordResetCompleteView.as_view(
        template_name="people/password_reset_complete.html"), name="password_reset_complete"),
]

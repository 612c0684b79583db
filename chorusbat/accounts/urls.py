from django.urls import path

from chorusbat.accounts import views

app_name = "accounts"
urlpatterns = [
    path("", views.my_account, name="my_account"),
    path("abonnement-chorus-pro/", views.subscription_edit, name="subscription_edit"),
    path("abonnement-chorus-pro/tester/", views.test_connection, name="test_connection"),
    path("entreprise/", views.company_edit, name="company_edit"),
    path("entreprise/logo/", views.company_logo, name="company_logo"),
]

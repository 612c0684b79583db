from django.urls import path

from chorusbat.books import views

app_name = "books"
urlpatterns = [
    path("", views.invoice_list, name="list"),
    path("journal-des-ventes/", views.sales_journal, name="journal"),
    path("comptes/", views.accounts_edit, name="accounts"),
]

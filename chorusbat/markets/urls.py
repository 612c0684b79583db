from django.urls import path

from chorusbat.markets import views

app_name = "markets"
urlpatterns = [
    path("", views.market_list, name="list"),
    path("nouveau/", views.market_create, name="create"),
    path("<int:pk>/", views.market_detail, name="detail"),
    path("<int:pk>/modifier/", views.market_edit, name="edit"),
    path("<int:pk>/lignes/nouvelle/", views.line_create, name="line_create"),
    path("<int:pk>/lignes/<int:line_pk>/modifier/", views.line_edit, name="line_edit"),
    path("<int:pk>/lignes/<int:line_pk>/supprimer/", views.line_delete, name="line_delete"),
    path("<int:pk>/lignes/importer/", views.line_import, name="line_import"),
    path("<int:pk>/lignes/importer/<int:import_pk>/", views.line_import_confirm, name="line_import_confirm"),
]

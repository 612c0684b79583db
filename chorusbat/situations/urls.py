from django.urls import path

from chorusbat.situations import views

app_name = "situations"
urlpatterns = [
    path("marche/<int:market_pk>/", views.situation_list, name="list"),
    path("marche/<int:market_pk>/nouvelle/", views.situation_create, name="create"),
    path("marche/<int:market_pk>/decompte-final/", views.situation_create_final, name="create_final"),
    path("<int:pk>/", views.situation_detail, name="detail"),
    path("<int:pk>/modifier/", views.situation_edit, name="edit"),
    path("<int:pk>/valider/", views.situation_validate, name="validate"),
    path("<int:pk>/supprimer/", views.situation_delete, name="delete"),
]

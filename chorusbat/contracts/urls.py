from django.urls import path

from chorusbat.contracts import views

app_name = "contracts"
urlpatterns = [
    path("interets-moratoires/", views.interest_summary, name="interest"),
    path("interets-moratoires/<int:pk>/reclamation.pdf", views.interest_claim, name="interest_claim"),
    path("taux-bce/", views.ecb_rates, name="ecb_rates"),
    path("indices/", views.indices, name="indices"),
    path("marche/<int:pk>/avenants/", views.amendment_list, name="amendments"),
    path("marche/<int:pk>/avenants/nouveau/", views.amendment_create, name="amendment_create"),
    path("marche/<int:pk>/avenants/<int:amendment_pk>/supprimer/", views.amendment_delete, name="amendment_delete"),
    path("marche/<int:pk>/fin/", views.closing_page, name="closing"),
    path("marche/<int:pk>/fin/<slug:step>/", views.closing_record, name="closing_record"),
    path("marche/<int:pk>/fin/memoire-en-reclamation.pdf", views.closing_claim, name="closing_claim"),
]

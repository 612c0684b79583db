from django.urls import path

from chorusbat.gateway import views

app_name = "gateway"
urlpatterns = [
    path("", views.dashboard_view, name="dashboard"),
    path("liste/", views.transmissions_list, name="list"),
    path("envoyer/", views.batch, name="batch"),
    path("envoyer/suivi/", views.batch_progress, name="batch_progress"),
    path("situation/<int:situation_pk>/envoyer/", views.send_one, name="send_one"),
    path("<int:pk>/completer/", views.complete_view, name="complete"),
    path("<int:pk>/recycler/", views.recycle_view, name="recycle"),
    path("<int:pk>/rejet-traite/", views.acknowledge_view, name="acknowledge"),
    path("<int:pk>/situation-corrective/", views.corrective_view, name="corrective"),
]

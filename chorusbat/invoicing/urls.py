from django.urls import path

from chorusbat.invoicing import views

app_name = "invoicing"
urlpatterns = [
    path("<int:situation_pk>/apercu.pdf", views.preview, name="preview"),
    path("<int:situation_pk>/factur-x.pdf", views.download, name="download"),
]

from django.urls import path

from chorusbat.invoicing import views

app_name = "invoicing"
urlpatterns = [
    path("<int:situation_pk>/apercu.pdf", views.preview, name="preview"),
    path("<int:situation_pk>/factur-x.pdf", views.download, name="download"),
    path("<int:situation_pk>/pieces-jointes/", views.attachment_add, name="attachment_add"),
    path("<int:situation_pk>/pieces-jointes/<int:attachment_pk>/", views.attachment_download,
         name="attachment_download"),
    path("<int:situation_pk>/pieces-jointes/<int:attachment_pk>/retirer/", views.attachment_remove,
         name="attachment_remove"),
]

from django.apps import AppConfig


class BooksConfig(AppConfig):
    name = "chorusbat.books"
    label = "books"
    verbose_name = "Lists and accounting exports"

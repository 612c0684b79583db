from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "chorusbat.people"
    label = "people"
    verbose_name = "Members, passwords and notifications"

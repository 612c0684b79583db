from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "chorusbat.people"
    label = "people"
    verbose_name = "Members, passwords and notifications"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        def remember_two_factor(sender, request, user, **kwargs):
            from chorusbat.people import two_factor

            if request is not None and hasattr(request, "session"):
                two_factor.remember(request, two_factor.has_device(user))

        user_logged_in.connect(remember_two_factor, dispatch_uid="people-remember-two-factor", weak=False)

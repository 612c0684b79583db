"""``chorusbat diffsettings``: Django's command, with every secret masked.

Django prints settings as they are, PISTE client secrets, encryption keys and ``SECRET_KEY`` included. chorusbat's
version masks them with the same rules as its error reports (``chorusbat.web.reporting``), nested dictionaries
included (``DATABASES``, ``CHORUSBAT_PISTE_APPLICATIONS``). Which settings differ is decided on the real values.
"""

from django.core.management.commands import diffsettings

from chorusbat.web.reporting import ChorusbatExceptionReporterFilter


def _masked_dict(settings_object) -> dict:
    """Like Django's ``module_to_dict`` (``repr`` of every upper-case setting), secrets masked."""
    cleanse = ChorusbatExceptionReporterFilter().cleanse_setting
    return {key: repr(cleanse(key, getattr(settings_object, key))) for key in dir(settings_object) if key.isupper()}


class Command(diffsettings.Command):
    help = "Display the differences between the settings and Django's defaults, secrets masked."

    def handle(self, **options):
        from django.conf import Settings, global_settings, settings

        if not settings.configured:
            settings._setup()
        raw_user = diffsettings.module_to_dict(settings._wrapped)
        default_module = Settings(options["default"]) if options["default"] else global_settings
        raw_default = diffsettings.module_to_dict(default_module)
        user, default = _masked_dict(settings._wrapped), _masked_dict(default_module)
        for key in user:
            if key in default and raw_user[key] != raw_default[key] and user[key] == default[key]:
                default[key] = "'(masqué, valeur par défaut)'"  # differs, though both print masked
        output = {"hash": self.output_hash, "unified": self.output_unified}[options["output"]]
        return "\n".join(output(user, default, **options))

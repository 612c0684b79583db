"""What Django's error pages and reports may show: settings, request data and environment, secrets removed."""

import re

from django.views.debug import SafeExceptionReporterFilter


class ChorusbatExceptionReporterFilter(SafeExceptionReporterFilter):
    """Django shows everything on its debug page (``is_active`` is false when DEBUG is on); chorusbat hides
    sensitive POST parameters and variables on every page and report, in every mode."""

    def is_active(self, request):
        return True

    # Django's default list, plus the URLs that carry credentials (DATABASE_URL, CHORUSBAT_EMAIL_URL) and the
    # Chorus Pro account header.
    hidden_settings = re.compile(
        r"API|TOKEN|KEY|SECRET|PASS|SIGNATURE|HTTP_COOKIE|AUTHORIZATION|CPRO|DATABASE_URL|EMAIL_URL", flags=re.I
    )

"""One-time form tokens: a form posted twice (double click, two tabs, a retry) does its work once."""

from django.conf import settings
from django.db import models


class SubmittedForm(models.Model):
    """A form token that has been used, and the page its submission led to (see :mod:`chorusbat.web.one_time`)."""

    token = models.CharField(max_length=64, unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    result_url = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

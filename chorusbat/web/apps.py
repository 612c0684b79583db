import logging

from django.apps import AppConfig


class ClientErrorsWithoutTraceback(logging.Filter):
    """A 4xx (a plain 403, a 404) is logged as one line: the traceback of the exception that made it is noise."""

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if status is not None and status < 500:
            record.exc_info = None
            record.exc_text = None
        return True


class WebConfig(AppConfig):
    name = "chorusbat.web"
    label = "web"
    verbose_name = "Web layout"

    def ready(self):
        # Added here, after Django configured logging, so that it holds whatever LOGGING says.
        for name in ("django.request", "django.security.csrf"):
            logger = logging.getLogger(name)
            if not any(isinstance(f, ClientErrorsWithoutTraceback) for f in logger.filters):
                logger.addFilter(ClientErrorsWithoutTraceback())

"""Signals of the situations app, so that the apps above react without situations depending on them."""

from django.dispatch import Signal

#: Sent inside the validation's transaction, once a situation's figures are frozen (``sender`` = Situation class,
#: ``situation`` = instance): invoicing schedules the Factur-X build (committed with the validation).
situation_validated = Signal()

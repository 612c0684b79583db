"""Signals of the accounts app, so that other apps react without accounts depending on them."""

from django.dispatch import Signal

#: Sent after a connection check succeeded (``sender`` = ChorusSubscription class, ``subscription`` = instance):
#: the gateway resumes the company's held transmissions.
subscription_verified = Signal()

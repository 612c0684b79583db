"""Companies, their members and roles, *Mon compte*, and the company's Chorus Pro subscription.

The lowest app: every other app scopes its rows by ``Company``. Module map:

- ``models`` — ``Company``, ``Membership`` (role), ``ChorusSubscription`` (technical account, encrypted password,
  status), the subscription's audit trail, the buyer lookups cache rows.
- ``chorus_access`` — the one place that turns a subscription into a Chorus Pro client (``client_for``), checks the
  connection (``verify_subscription``) and says when calls are held (``CallsHeld``).
- ``services`` — saving the subscription (two-step confirmation, audit); ``forms``, ``views`` — the screens.
- ``password_life`` — the technical password's expiry, when reminders are due (``people.password_reminders``
  sends them), banner and the hold after expiry;
  ``banners`` — banners shown on every page.
- ``buyer_cache`` — public buyers as Chorus Pro knows them, cached per company with a refresh date.
- ``permissions``, ``middleware``, ``validators``, ``signals`` (``subscription_verified``, for the apps above);
  ``demo`` — the demo company, users and subscription (``chorusbat demo`` adds the rest).
"""

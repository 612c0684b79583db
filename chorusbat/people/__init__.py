"""People of a company: members and invitations, passwords, two-factor authentication, e-mail preferences.

Module map: ``members`` — invite, change roles, deactivate, remove (never the last administrator);
``tokens`` — signed invitation links; ``two_factor``, ``views_2fa``, ``middleware`` — optional TOTP and its login
step; ``notifications`` — who wants which e-mail (``wanted``) and the monthly "situation à établir" reminder;
``password_reminders`` — the technical password's expiry reminders (when they are due: ``accounts.password_life``);
``models`` — preferences and reminders sent; ``forms``, ``views`` — the screens.
"""

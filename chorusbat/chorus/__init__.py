"""Chorus Pro client for chorusbat — pure Python, no Django (chorus-pro-api.md is the reference).

Start here:
- ``config.ClientConfig`` + ``client.ChorusClient``: talk to Chorus Pro for one company;
- ``connection.check_connection``: the "Tester la connexion" check;
- ``buyers.lookup_buyer``: a public buyer's routing rules and services;
- ``errors``: what can go wrong, each with a French ``user_message``;
- ``assumptions``: every UNCONFIRMED behaviour of Chorus Pro, decided in one place.
"""

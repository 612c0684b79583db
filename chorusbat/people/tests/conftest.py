from chorusbat.markets.tests.fixtures import fake_buyer, firm_market, market, market_with_situations  # noqa: F401

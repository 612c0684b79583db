from chorusbat.markets.tests.fixtures import firm_market, market_with_situations  # noqa: F401

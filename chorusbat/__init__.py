"""chorusbat: bill French public works through Chorus Pro."""

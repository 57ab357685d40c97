"""`chatd migrate-data`: copy a whole deployment's data between setups, verified."""

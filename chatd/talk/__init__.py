"""`chatd talk`: chat in a terminal through chatd.client (see session.py)."""

"""Intraday management: the rest-of-day gap against the roster and the actions that close it."""

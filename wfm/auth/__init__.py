"""Users, sign-in, roles and permissions, and agent self-service (time off, swaps, preferences, calendars)."""

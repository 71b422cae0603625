"""Alembic migration scripts of the WFM database (run through wfm.store.migrate)."""

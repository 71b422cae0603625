"""Subcommands of the `wfm` CLI; each module defines ORDER and register(subparsers)."""

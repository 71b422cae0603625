"""The `wfm` command line: one subcommand per module in wfm/commands, bad input → one line on stderr, exit 2."""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
from collections.abc import Sequence
from pathlib import Path

from wfm import commands
from wfm.errors import InputError
from wfm.outputs import output_batch

EXIT_BAD_INPUT = 2


class _Parser(argparse.ArgumentParser):
    """ArgumentParser whose errors are one clear line (after the usage block) and exit code 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        self.exit(EXIT_BAD_INPUT, f"wfm: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    """The full parser, with every subcommand module in wfm.commands registered in its ORDER."""
    parser = _Parser(prog="wfm", description="Workforce management for contact centres.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser, metavar="COMMAND")
    modules = [importlib.import_module(f"wfm.commands.{m.name}") for m in pkgutil.iter_modules(commands.__path__)]
    for module in sorted(modules, key=lambda m: (getattr(m, "ORDER", 100), m.__name__)):
        module.register(sub)
    return parser


# Options that name files a command writes (a command module may list its own in OUTPUTS instead).
OUTPUT_OPTIONS = ("out", "report", "backtest", "details", "params_out")


def _outputs_and_inputs(args: argparse.Namespace) -> tuple[list[str], list[str]]:
    """(files the command writes, existing files or folders it was given to read) from the parsed options."""
    module = sys.modules.get(getattr(args.func, "__module__", ""), None)
    names = getattr(module, "OUTPUTS", OUTPUT_OPTIONS)
    outputs = [str(getattr(args, n)) for n in names if getattr(args, n, None) is not None]
    inputs = [
        str(value)
        for name, value in vars(args).items()
        if name not in names and isinstance(value, str | Path) and str(value).strip() and Path(value).exists()
    ]
    database = _sqlite_file(getattr(args, "url", None)) if args.command == "db" else None
    return outputs, inputs + ([database] if database else [])


def _sqlite_file(url: str | None) -> str | None:
    """The SQLite database file a `db` command uses (an output must never overwrite it), or None."""
    from sqlalchemy.engine import make_url

    from wfm.store.engine import database_url

    try:
        parsed = make_url(database_url(url))
    except Exception:  # a malformed URL is reported by the command itself
        return None
    return parsed.database if parsed.get_backend_name() == "sqlite" and parsed.database else None


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `wfm` console script; returns the process exit code.

    Bad input is one line on stderr and exit code 2; the files a command writes appear all together when it
    finishes, or none of them (wfm.outputs)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        outputs, inputs = _outputs_and_inputs(args)
        with output_batch(outputs, inputs):
            return int(args.func(args) or 0)
    except InputError as exc:
        print(f"wfm: error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except RecursionError:
        print("wfm: error: an input is nested too deeply to read; nothing was written", file=sys.stderr)
        return EXIT_BAD_INPUT
    except MemoryError:
        print("wfm: error: the input is too large for this machine's memory; nothing was written", file=sys.stderr)
        return EXIT_BAD_INPUT


if __name__ == "__main__":
    sys.exit(main())

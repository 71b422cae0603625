"""Store benchmark: save and load a 500-agent × 28-day roster with breaks (~54 000 segments) on SQLite and PostgreSQL.

    .venv/bin/python bench/store.py [--agents 500] [--days 28] [--repeat 3] [--pg-url URL | --no-pg]

PostgreSQL: the URL from --pg-url or $WFM_TEST_PG_URL, else a throwaway cluster started here (initdb as the
`postgres` user in a temp dir, default durability settings) and removed afterwards. Times are in-process, best of
--repeat runs; the check of the segments (part of every save) and CSV reading/writing are reported separately.
Target: save and load each under 2 s. The machine may be shared: timings can be disturbed by other work.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy.orm import Session

from wfm.export import check_segments, read_roster_segments, segments_table, write_excel_csv
from wfm.store import load_roster, make_engine, save_roster, upgrade
from wfm.store.synthetic import synthetic_segments

TARGET_SECONDS = 2.0


def best_of(repeat: int, action: Callable[[int], object]) -> float:
    """Shortest wall time of `repeat` calls (the call gets its run number)."""
    times = []
    for i in range(repeat):
        start = time.perf_counter()
        action(i)
        times.append(time.perf_counter() - start)
    return min(times)


def bench_backend(label: str, url: str, segments, repeat: int) -> list[tuple[str, float]]:
    """Save (a new version per run) and load the roster; the times."""
    engine = make_engine(url)
    upgrade(engine)
    name = f"bench-{os.getpid()}-{time.time_ns()}"

    def save(i: int) -> None:
        with Session(engine) as session, session.begin():
            save_roster(session, name, segments, expected_version=i, user="bench")

    def load(_: int) -> None:
        with Session(engine) as session:
            _, frame = load_roster(session, name)
        assert len(frame) == len(segments)

    results = [(f"{label} save", best_of(repeat, save)), (f"{label} load", best_of(repeat, load))]
    engine.dispose()
    return results


@contextmanager
def throwaway_postgres() -> Iterator[str]:
    """A PostgreSQL cluster in a temp dir on 127.0.0.1 (as the postgres user when run as root); its URL."""
    bindir = max(Path("/usr/lib/postgresql").glob("*/bin"), default=None, key=lambda p: int(p.parent.name))
    if bindir is None:
        raise SystemExit("PostgreSQL is not installed: run .ci/postgres.sh (installs it) or pass --pg-url / --no-pg")
    root = Path(tempfile.mkdtemp(prefix="wfm-bench-pg."))
    as_owner = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    if as_owner:
        shutil.chown(root, "postgres")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    data = root / "data"
    run = lambda *cmd: subprocess.run([*as_owner, *cmd], check=True, capture_output=True)  # noqa: E731
    run(str(bindir / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust", "--no-sync", "--locale=C.UTF-8")
    options = f"-c listen_addresses=127.0.0.1 -p {port} -k {root}"
    run(str(bindir / "pg_ctl"), "-D", str(data), "-l", str(root / "log"), "-w", "-o", options, "start")
    try:
        run(str(bindir / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "bench")
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/bench"
    finally:
        run(str(bindir / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop")
        shutil.rmtree(root, ignore_errors=True)


def main() -> None:
    """Run the benchmark and print one line per measurement."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agents", type=int, default=500)
    parser.add_argument("--days", type=int, default=28)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--pg-url", default=os.environ.get("WFM_TEST_PG_URL"))
    parser.add_argument("--no-pg", action="store_true")
    args = parser.parse_args()

    segments = synthetic_segments(args.agents, args.days)
    print(f"roster: {args.agents} agents × {args.days} days = {len(segments)} segments; best of {args.repeat}")
    rows = [("check segments (part of each save)", best_of(args.repeat, lambda _: check_segments(segments)))]
    with tempfile.TemporaryDirectory() as tmp:
        csv_path = Path(tmp) / "roster.csv"
        table = segments_table(check_segments(segments))
        rows.append(("CSV write (export, BOM)", best_of(args.repeat, lambda _: write_excel_csv(table, csv_path))))
        rows.append(("CSV read + check", best_of(args.repeat, lambda _: read_roster_segments(csv_path))))
        rows += bench_backend("SQLite", f"sqlite:///{Path(tmp) / 'bench.db'}", segments, args.repeat)
    if not args.no_pg:
        if args.pg_url:
            rows += bench_backend("PostgreSQL", args.pg_url, segments, args.repeat)
        else:
            with throwaway_postgres() as url:
                rows += bench_backend("PostgreSQL", url, segments, args.repeat)
    for label, seconds in rows:
        timed = label.endswith((" save", " load"))
        flag = ("  ok" if seconds < TARGET_SECONDS else "  SLOW") if timed else ""
        print(f"{label:40s} {seconds:7.3f} s{flag}")
    sys.stdout.flush()


if __name__ == "__main__":
    main()

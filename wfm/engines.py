"""Where independent parts of a job run: in this process (`local`, the default, nothing to start) or on a Dask
cluster (`dask`: a LocalCluster of worker processes started here, or an existing scheduler at `--address`).

An engine maps one function over a list of parts and returns the results in input order; a progress line is
given for each part as it finishes. The function and the parts must be picklable for `dask` (top-level
functions, frames, frozen dataclasses). An exception raised by a part is raised again here (an InputError keeps
its one-line message) and the parts still running are cancelled. Pure: no Streamlit, no files.

`ray` is a recognised name but not provided: asking for it is an InputError that says so (docs/scale.md).
"""

from __future__ import annotations

import logging
import os
import resource
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, Protocol

from wfm.errors import InputError

ENGINES = ("local", "dask", "ray")
CONNECT_TIMEOUT_SECONDS = 10
Progress = Callable[[str], None]


def peak_rss_mib() -> float:
    """Peak resident memory of the calling process in MiB: VmHWM of /proc/self/status on Linux (a worker's own
    peak; ru_maxrss would include the parent's peak at the time it was spawned), else ru_maxrss."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


class Engine(Protocol):
    """What the per-queue forecast and the per-team roster need from an engine."""

    name: str

    @property
    def workers(self) -> int:
        """How many parts can run at the same time."""
        ...

    def map(
        self,
        fn: Callable[[Any], Any],
        parts: Sequence[Any],
        *,
        labels: Sequence[str] | None = None,
        progress: Progress | None = None,
    ) -> list[Any]:
        """fn over every part; results in input order; one progress line per finished part."""
        ...

    def put(self, parts: Sequence[Any]) -> list[Any]:
        """Parts to pass to several map calls (moved to the workers once)."""
        ...

    def peak_memory_mib(self) -> dict[str, float]:
        """Peak resident memory of each worker process so far, MiB."""
        ...


def _line(label: str, done: int, total: int, seconds: float, where: str = "") -> str:
    """One progress line for a finished part."""
    return f"{label} done ({done}/{total}){where}, elapsed {seconds:.1f} s"


class LocalEngine:
    """Every part in this process, one after the other."""

    name = "local"
    workers = 1

    def map(
        self,
        fn: Callable[[Any], Any],
        parts: Sequence[Any],
        *,
        labels: Sequence[str] | None = None,
        progress: Progress | None = None,
    ) -> list[Any]:
        """fn over every part in order."""
        started, results = time.monotonic(), []
        for i, part in enumerate(parts):
            results.append(fn(part))
            if progress:
                progress(_line(labels[i] if labels else f"part {i + 1}", i + 1, len(parts), time.monotonic() - started))
        return results

    def put(self, parts: Sequence[Any]) -> list[Any]:
        """The parts themselves."""
        return list(parts)

    def peak_memory_mib(self) -> dict[str, float]:
        """This process's peak memory."""
        return {"local": peak_rss_mib()}


class DaskEngine:
    """Parts as Dask futures on a cluster; results gathered as they finish."""

    name = "dask"

    def __init__(self, client: Any, cluster: Any = None) -> None:
        self.client = client
        self.cluster = cluster  # the LocalCluster started here (closed with the engine), None for --address

    @property
    def workers(self) -> int:
        """Worker processes (threads, if a worker has several) the scheduler knows now."""
        info = self.client.scheduler_info()
        return max(1, sum(int(w.get("nthreads", 1)) for w in info.get("workers", {}).values()))

    def put(self, parts: Sequence[Any]) -> list[Any]:
        """Scatter the parts to the workers once (spread over them); later maps take the futures."""
        return list(self.client.scatter(list(parts), hash=False))

    def map(
        self,
        fn: Callable[[Any], Any],
        parts: Sequence[Any],
        *,
        labels: Sequence[str] | None = None,
        progress: Progress | None = None,
    ) -> list[Any]:
        """Submit every part, then collect the results in input order as they finish. When parts fail, the parts
        after the first failing one are cancelled, the ones before it are awaited, and the error of the first
        failing part (in input order, as in one process) is raised."""
        from distributed import as_completed

        started = time.monotonic()
        futures = [self.client.submit(fn, part, pure=False) for part in parts]
        index = {future.key: i for i, future in enumerate(futures)}
        results: list[Any] = [None] * len(futures)
        first_error: int | None = None
        done = 0
        try:
            for future in as_completed(futures):
                i = index[future.key]
                if first_error is not None and i > first_error:
                    continue
                if future.status == "finished":
                    results[i] = future.result()
                    done += 1
                    if progress:
                        label = labels[i] if labels else f"part {i + 1}"
                        where = self._worker_of(future)
                        progress(_line(label, done, len(futures), time.monotonic() - started, where))
                else:  # an error (or a lost or cancelled part): raised below unless an earlier part failed too
                    first_error = i if first_error is None else min(first_error, i)
                    self.client.cancel(futures[first_error + 1 :])
                if first_error is not None and all(f.done() for f in futures[:first_error]):
                    break
        except BaseException:
            self.client.cancel(futures)
            raise
        if first_error is not None:
            futures[first_error].result()  # raises that part's exception here
        return results

    def _worker_of(self, future: Any) -> str:
        """' on <worker address>' of a finished future, '' when the scheduler no longer knows."""
        try:
            holders = self.client.who_has(future).get(future.key) or ()
        except Exception:  # progress text only: never fail a run for it
            return ""
        return f" on {holders[0]}" if holders else ""

    def peak_memory_mib(self) -> dict[str, float]:
        """Peak resident memory of each worker process (asked of every worker)."""
        return {str(k): float(v) for k, v in self.client.run(peak_rss_mib).items()}

    def close(self) -> None:
        """Close the client, and the cluster if it was started here."""
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()


def check_engine_options(name: str, address: str | None, workers: int | None) -> None:
    """InputError (one line) for an unknown engine, an engine that is not provided, or options it cannot use."""
    if name not in ENGINES:
        raise InputError(f'--engine "{name}" is unknown; expected one of {", ".join(ENGINES)}')
    if name == "ray":
        raise InputError("--engine ray is not provided in this version; use --engine dask (see docs/scale.md)")
    if name == "local" and address:
        raise InputError("--address needs --engine dask (the local engine runs in this process)")
    if workers is not None and not 1 <= workers <= 1024:
        raise InputError(f"--workers {workers} is out of range; expected 1 to 1024")
    if workers is not None and address:
        raise InputError("--workers starts a local cluster; with --address the cluster's own workers are used")


def default_workers(cores_per_part: int = 1) -> int:
    """Worker processes of a local Dask cluster when --workers is not given: the CPUs this process may use, divided
    by the cores one part keeps busy (a team's roster solve: 2, its search and the LP bound's thread)."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cpus = os.cpu_count() or 1
    return max(1, cpus // max(1, cores_per_part))


def _dask_client(address: str | None, workers: int | None, cores_per_part: int = 1) -> DaskEngine:
    """A client on the scheduler at `address`, or on a LocalCluster of `workers` single-threaded processes."""
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise InputError(
            "--engine dask needs Dask distributed: install the project's extra, pip install 'wfm[distributed]'"
        ) from None
    if address:
        try:
            client = Client(address, timeout=CONNECT_TIMEOUT_SECONDS)
        except (OSError, TimeoutError, ValueError, TypeError) as exc:
            reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise InputError(
                f'--address "{address}": no Dask scheduler answered within {CONNECT_TIMEOUT_SECONDS} s ({reason})'
            ) from None
        return DaskEngine(client)
    import dask

    # Dask's nanny sets MALLOC_TRIM_THRESHOLD_ in its workers, which turns off glibc's adaptive mmap threshold: every
    # large numpy array is then a fresh mmap, and the roster search ran ~2× slower (measured: 0 instead of 5–6
    # local-search kicks in a 3 s team solve). The workers started here keep glibc's default, and do without the
    # statistical profiler (it samples the running task every 10 ms, holding the interpreter lock).
    environ = dict(dask.config.get("distributed.nanny.pre-spawn-environ", {}))
    environ.pop("MALLOC_TRIM_THRESHOLD_", None)
    settings = {"distributed.nanny.pre-spawn-environ": environ, "distributed.worker.profile.enabled": False}
    with dask.config.set(settings):
        cluster = LocalCluster(
            n_workers=workers or default_workers(cores_per_part),
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            silence_logs=logging.ERROR,
        )
    return DaskEngine(Client(cluster), cluster)


@contextmanager
def open_engine(
    name: str = "local", address: str | None = None, workers: int | None = None, cores_per_part: int = 1
) -> Iterator[Engine]:
    """The named engine, ready; a cluster started here (default size: see default_workers) is closed on the way
    out (also after an error)."""
    check_engine_options(name, address, workers)
    if name == "local":
        yield LocalEngine()
        return
    engine = _dask_client(address, workers, cores_per_part)
    try:
        yield engine
    finally:
        engine.close()


def add_engine_options(parser: Any, what: str) -> None:
    """--engine, --address and --workers of a command that runs independent `what` in parallel."""
    parser.add_argument(
        "--engine",
        default="local",
        help=f"where the {what} run: local (this process, the default), dask (a local cluster, or --address); "
        "ray is not provided",
    )
    parser.add_argument("--address", help="an existing Dask scheduler, e.g. tcp://10.0.0.5:8786 (--engine dask)")
    parser.add_argument(
        "--workers",
        type=int,
        help="worker processes of the local Dask cluster (default: the CPUs available; for rosters half of them)",
    )

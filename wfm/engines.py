"""Where independent parts of a job run: in this process (`local`, the default, nothing to start), on a Dask
cluster (`dask`: a LocalCluster of worker processes started here, or an existing scheduler at `--address`) or on
Ray (`ray`: a local Ray instance started in this process on 127.0.0.1 only, or an existing cluster at `--address`).

An engine maps one function over a list of parts and returns the results in input order; a progress line is
given for each part as it finishes. The function and the parts must be picklable for `dask` and `ray` (top-level
functions, frames, frozen dataclasses). An exception raised by a part is raised again here (an InputError keeps
its one-line message) and the parts still running are cancelled. Pure: no Streamlit, no files.
"""

from __future__ import annotations

import ipaddress
import logging
import os
import pickle
import resource
import socket
import sys
import time
import traceback
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


def _run_part(fn: Callable[[Any], Any], part: Any) -> tuple[bool, Any, str, float]:
    """A Ray task: (ok, fn(part) or the exception it raised, where it ran, this worker's peak MiB). The exception is
    returned, not raised, so that it reaches the caller as itself (type and one-line message), not wrapped in Ray's
    RayTaskError; the worker's traceback goes with it as a note."""
    import ray

    where = f"{ray.util.get_node_ip_address()} pid {os.getpid()}"
    try:
        return True, fn(part), where, peak_rss_mib()
    except Exception as exc:
        exc.add_note(f"raised on the Ray worker {where}:\n{traceback.format_exc().rstrip()}")
        try:
            pickle.dumps(exc)
        except Exception:  # an exception that cannot travel: its type and message do
            exc = RuntimeError(f"{type(exc).__name__}: {exc}")
        return False, exc, where, peak_rss_mib()


class RayEngine:
    """Parts as Ray tasks (one CPU each, or `cpus_per_part` on a cluster); results collected with ray.wait."""

    name = "ray"

    def __init__(self, cpus_per_part: int = 1, started_here: bool = False) -> None:
        self.cpus_per_part = max(1, cpus_per_part)
        self.started_here = started_here  # shut down with the engine; False: only this driver disconnects
        self._peaks: dict[str, float] = {}

    @property
    def workers(self) -> int:
        """Parts that can run at the same time: the cluster's CPUs now, divided by the CPUs a part asks for."""
        import ray

        return max(1, int(ray.cluster_resources().get("CPU", 1)) // self.cpus_per_part)

    def put(self, parts: Sequence[Any]) -> list[Any]:
        """Each part into Ray's object store once (ray.put); later maps take the references."""
        import ray

        return [ray.put(part) for part in parts]

    def map(
        self,
        fn: Callable[[Any], Any],
        parts: Sequence[Any],
        *,
        labels: Sequence[str] | None = None,
        progress: Progress | None = None,
    ) -> list[Any]:
        """Submit every part, then collect the results in input order as they finish; on failures, as DaskEngine:
        the parts after the first failing one are cancelled, the ones before it awaited, and the first failing
        part's exception (in input order) raised."""
        import ray

        started = time.monotonic()
        task = ray.remote(num_cpus=self.cpus_per_part, max_retries=0)(_run_part)
        shared_fn = ray.put(fn)
        refs = [task.remote(shared_fn, part) for part in parts]
        index = {ref: i for i, ref in enumerate(refs)}
        results: list[Any] = [None] * len(refs)
        errors: dict[int, BaseException] = {}
        pending, done = list(refs), 0
        try:
            while pending:
                ready, pending = ray.wait(pending, num_returns=1)
                i = index[ready[0]]
                first_error = min(errors, default=None)
                if first_error is not None and i > first_error:
                    continue
                try:
                    ok, value, where, peak = ray.get(ready[0])
                except Exception as exc:  # a lost worker, a cancelled task: Ray's own error
                    ok, value, where, peak = False, exc, "", None
                if peak is not None:
                    self._peaks[where] = peak
                if ok:
                    results[i] = value
                    done += 1
                    if progress:
                        label = labels[i] if labels else f"part {i + 1}"
                        progress(_line(label, done, len(refs), time.monotonic() - started, f" on {where}"))
                else:
                    errors[i] = value
                    for ref in refs[i + 1 :]:
                        ray.cancel(ref)
                    pending = [ref for ref in pending if index[ref] < i]
                if errors and not any(index[ref] < min(errors) for ref in pending):
                    break
        except BaseException:
            for ref in refs:
                ray.cancel(ref)
            raise
        if errors:
            raise errors[min(errors)]
        return results

    def peak_memory_mib(self) -> dict[str, float]:
        """Peak resident memory (VmHWM) of each worker process that ran a part, as of its latest part; keyed
        '<node ip> pid <pid>'. (Ray has no call that runs on every worker, as Dask's Client.run; an idle worker
        holds no part.)"""
        return dict(self._peaks)

    def close(self) -> None:
        """Shut the local Ray instance down, or disconnect this driver from the cluster."""
        import ray

        ray.shutdown()


def check_engine_options(name: str, address: str | None, workers: int | None) -> None:
    """InputError (one line) for an unknown engine or options it cannot use."""
    if name not in ENGINES:
        raise InputError(f'--engine "{name}" is unknown; expected one of {", ".join(ENGINES)}')
    if name == "local" and address:
        raise InputError("--address needs --engine dask or ray (the local engine runs in this process)")
    if workers is not None and not 1 <= workers <= 1024:
        raise InputError(f"--workers {workers} is out of range; expected 1 to 1024")
    if workers is not None and address:
        raise InputError("--workers starts a local cluster; with --address the cluster's own workers are used")


def default_workers(cores_per_part: int = 1) -> int:
    """Worker processes of a local Dask cluster (CPUs of a local Ray instance) when --workers is not given: the CPUs
    this process may use, divided by the cores one part keeps busy (a team's roster solve: 2, its search and the LP
    bound's thread)."""
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
def _loopback_only(on: bool = True) -> Iterator[None]:
    """While on: Ray takes this node's address to be 127.0.0.1, so what it starts or opens here (GCS, raylet, the
    workers' and this driver's servers) listens on loopback only. Ray turns 127.0.0.1 into the machine's address
    unless its cluster switch (ray_constants.ENABLE_RAY_CLUSTER, read at import from an environment variable) is
    off; it is switched off for the call and put back after it."""
    from ray._private import ray_constants

    before = getattr(ray_constants, "ENABLE_RAY_CLUSTER", True)  # a Ray without it: the address check refuses
    ray_constants.ENABLE_RAY_CLUSTER = not on and before
    try:
        yield
    finally:
        ray_constants.ENABLE_RAY_CLUSTER = before


def _ray_host_port(address: str) -> tuple[str, int]:
    """(host, port) of a Ray cluster address 'host:port' (the head's GCS, `ray start --head` prints it); an
    optional ray:// prefix (Ray Client) is accepted."""
    rest = address.removeprefix("ray://")
    host, _, port = rest.rpartition(":")
    host = host.strip("[]")
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise InputError(f'--address "{address}" is not a Ray cluster address; expected HOST:PORT, e.g. 10.0.0.5:6379')
    return host, int(port)


def _is_loopback(host: str) -> bool:
    """True for localhost and 127.0.0.0/8 / ::1."""
    try:
        return host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _ray_engine(address: str | None, workers: int | None, cores_per_part: int = 1) -> RayEngine:
    """A driver connected to the Ray cluster at `address`, or a local Ray instance of `workers` CPUs started here
    (loopback only, no dashboard, no usage statistics, workers' output not copied here)."""
    try:
        import ray
    except ImportError:
        raise InputError("--engine ray needs Ray: install the project's extra, pip install 'wfm[ray]'") from None
    os.environ["RAY_USAGE_STATS_ENABLED"] = "0"  # never report usage (ray.init also turns it off for a local start)
    options: dict[str, Any] = {"include_dashboard": False, "log_to_driver": False, "logging_level": logging.ERROR}
    if ray.is_initialized():
        raise InputError("--engine ray: this process is already connected to Ray; run wfm in its own process")
    if address:
        host, port = _ray_host_port(address)
        # ray.init waits minutes for a cluster that does not answer; a TCP connection to the head first
        try:
            socket.create_connection((host, port), timeout=CONNECT_TIMEOUT_SECONDS).close()
        except OSError as exc:
            reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise InputError(
                f'--address "{address}": no Ray cluster answered within {CONNECT_TIMEOUT_SECONDS} s ({reason})'
            ) from None
        # a head on this machine at a loopback address was started for loopback (docs/scale.md): stay on it
        try:
            with _loopback_only(_is_loopback(host)):
                ray.init(address=address, **options)
        except (ConnectionError, RuntimeError, ValueError) as exc:
            text = f"{exc} {exc.__cause__ or ''}"
            reason = (
                "the cluster wants a token: set RAY_AUTH_MODE=token and RAY_AUTH_TOKEN here (docs/scale.md)"
                if "InvalidAuthToken" in text
                else str(exc).splitlines()[0]
                if str(exc)
                else type(exc).__name__
            )
            raise InputError(f'--address "{address}": could not join the Ray cluster ({reason})') from None
        return RayEngine(cpus_per_part=cores_per_part)
    with _loopback_only():
        context = ray.init(address="local", num_cpus=workers or default_workers(cores_per_part), **options)
    if context.address_info.get("node_ip_address") != "127.0.0.1":  # never leave a Ray open to the network
        ray.shutdown()
        raise RuntimeError(f"the local Ray instance did not bind to 127.0.0.1: {context.address_info}")
    return RayEngine(started_here=True)


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
    engine: DaskEngine | RayEngine
    if name == "ray":
        engine = _ray_engine(address, workers, cores_per_part)
    else:
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
        help=f"where the {what} run: local (this process, the default), dask or ray (a local cluster started "
        "here, or an existing one at --address)",
    )
    parser.add_argument(
        "--address",
        help="an existing cluster: a Dask scheduler, e.g. tcp://10.0.0.5:8786, or a Ray head, e.g. 10.0.0.5:6379",
    )
    parser.add_argument(
        "--workers",
        type=int,
        help="worker processes of the local Dask cluster or CPUs of the local Ray instance (default: the CPUs "
        "available; for rosters half of them)",
    )

"""Run a batch on a Dask distributed cluster: chunks of articles as futures, results in order.

`recap parse DIR --engine dask --scheduler tcp://host:8786` uses a running cluster (its workers
must see the input paths, e.g. on a shared file system, and have recap-extractor installed);
without `--scheduler` a small local cluster of worker processes is started for the run. Each
worker process builds the pipeline once (`pipeline.load()` is cached per process).
"""
from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Optional

from .batch import Result, Settings, Task, parse_chunk

# Chunks in flight per worker: enough to keep every worker busy, few enough to bound memory.
CHUNKS_PER_WORKER = 4


def _preload() -> bool:
    from . import pipeline

    pipeline.load()
    return True


class DaskRunner:
    def __init__(self, scheduler: Optional[str], jobs: Optional[int]):
        try:
            from distributed import Client, LocalCluster
        except ImportError:
            raise SystemExit("error: --engine dask needs dask[distributed]: "
                             "pip install 'recap-extractor[dask]'") from None
        self.cluster = None
        if scheduler:
            self.client = Client(scheduler)
        else:
            self.cluster = LocalCluster(
                n_workers=jobs or 2, threads_per_worker=1, processes=True,
                dashboard_address=None, silence_logs=logging.ERROR,
            )
            self.client = Client(self.cluster)
        self.client.run(_preload)
        self.n_workers = max(1, len(self.client.scheduler_info().get("workers", {})))

    def __enter__(self) -> "DaskRunner":
        return self

    def __exit__(self, *exc) -> None:
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()

    def map(self, tasks: list[Task], settings: Settings) -> Iterator[Result]:
        """Results for `tasks` (indexed 0..n-1) in order; a chunk whose worker died is redone
        one article at a time, and an article that kills its worker again is a crash result."""
        from distributed import as_completed
        from distributed.scheduler import KilledWorker

        size = max(1, min(32, len(tasks) // (self.n_workers * 8) or 1))
        chunks = [tasks[i:i + size] for i in range(0, len(tasks), size)]
        settings_f = self.client.scatter(settings, broadcast=True)
        pending = iter(chunks)
        running = as_completed()
        owner = {}

        def submit(chunk: list[Task]) -> None:
            fut = self.client.submit(parse_chunk, chunk, settings_f, pure=False)
            owner[fut.key] = chunk
            running.add(fut)

        for chunk in pending:
            submit(chunk)
            if running.count() >= self.n_workers * CHUNKS_PER_WORKER:
                break
        done: dict[int, Result] = {}
        next_index = 0
        for fut in running:
            chunk = owner.pop(fut.key)
            try:
                results = fut.result()
            except KilledWorker:
                if len(chunk) > 1:
                    for task in chunk:
                        submit([task])
                    continue
                task = chunk[0]
                results = [Result(task.index, task.path, "error", kind="crash", size=task.size,
                                  error="worker crashed (the Dask worker died on this article)")]
            except Exception as e:  # lost connection, a worker without the package …
                results = [Result(t.index, t.path, "error", kind="internal", size=t.size,
                                  error=f"dask task failed ({type(e).__name__}: {' '.join(str(e).split())[:200]})") for t in chunk]
            for r in results:
                done[r.index] = r
            nxt = next(pending, None)
            if nxt is not None:
                submit(nxt)
            while next_index in done:
                yield done.pop(next_index)
                next_index += 1


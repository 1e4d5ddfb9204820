"""A pool of worker processes that parse articles, survives crashed workers, yields in order.

Each worker has its own pipe, so the pool always knows which articles a worker holds: when one
dies (a segfault, the out-of-memory killer, `os._exit`), the article it was on becomes a crash
result, the articles queued behind it go back to the queue, and a fresh worker takes its place.

On Linux the pipeline is built once in this process and the workers are forked from it, so they
start at once and share its memory; elsewhere (or when this process already runs threads, where
forking is unsafe) each worker is spawned and builds the pipeline once.
"""
from __future__ import annotations

import multiprocessing as mp
import selectors
import signal
import sys
import threading
from collections import deque
from collections.abc import Iterator
from multiprocessing.connection import Connection

from .batch import Result, Settings, Task, parse_task, remove_spooled

# Articles sent ahead to each worker, so it never waits for the next one.
PREFETCH = 2
# A worker is replaced by a fresh one after this many articles: spaCy's vocabulary and string
# store keep every new word they see, so a long-lived worker would grow without end.
ARTICLES_PER_WORKER = 2000


def _serve(conn: Connection, settings: Settings) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the main process's to handle
    from . import pipeline

    pipeline.load()
    while True:
        try:
            task = conn.recv()
        except EOFError:
            return
        if task is None:
            return
        conn.send(parse_task(task, settings))


class _Worker:
    def __init__(self, ctx, settings: Settings):
        self.conn, child = ctx.Pipe()
        self.process = ctx.Process(target=_serve, args=(child, settings), daemon=True)
        self.process.start()
        child.close()
        self.settings = settings
        self.held: deque[Task] = deque()
        self.sent = 0

    def stop(self) -> None:
        try:
            self.conn.send(None)
        except OSError:
            pass
        self.process.join(timeout=5)
        if self.process.is_alive():
            self.kill()
        self.conn.close()

    def kill(self) -> None:
        self.process.kill()
        self.reap()

    def reap(self) -> None:
        """Wait for the ended process; remove what it left unfinished in the spool folder."""
        self.process.join()
        remove_spooled(self.settings.spool_dir, self.process.pid)


def _context():
    if sys.platform.startswith("linux") and threading.active_count() == 1:
        return mp.get_context("fork"), True
    return mp.get_context("spawn"), False


def _death(process) -> str:
    code = process.exitcode
    if code is not None and code < 0:
        try:
            return f"worker crashed (killed by {signal.Signals(-code).name})"
        except ValueError:
            return f"worker crashed (signal {-code})"
    return f"worker crashed (exit status {code})"


class WorkerPool:
    def __init__(self, jobs: int, settings: Settings):
        self.ctx, forking = _context()
        if forking:
            from . import pipeline

            pipeline.load()
        self.settings = settings
        # One selector for the whole run: each worker's pipe and its process's sentinel.
        self.selector = selectors.DefaultSelector()
        self.workers: list[_Worker] = []
        for _ in range(max(1, jobs)):
            self.workers.append(self._start())

    def _start(self) -> _Worker:
        w = _Worker(self.ctx, self.settings)
        self.selector.register(w.conn, selectors.EVENT_READ, w)
        self.selector.register(w.process.sentinel, selectors.EVENT_READ, w)
        return w

    def _forget(self, w: _Worker) -> None:
        for handle in (w.conn, w.process.sentinel):
            try:
                self.selector.unregister(handle)
            except (KeyError, ValueError, OSError):
                pass

    def __enter__(self) -> "WorkerPool":
        return self

    def __exit__(self, *exc) -> None:
        for w in self.workers:
            self._forget(w)
            if exc[0] is None:
                w.stop()
            else:
                w.kill()
        self.selector.close()

    def map(self, tasks: list[Task]) -> Iterator[Result]:
        """Results for `tasks` (indexed 0..n-1), in order."""
        queue = deque(tasks)
        done: dict[int, Result] = {}
        next_index = 0
        window = 64 + 8 * len(self.workers) * PREFETCH  # how far ahead of the output work may run
        while next_index < len(tasks):
            for i, w in enumerate(self.workers):
                if w.sent >= ARTICLES_PER_WORKER and not w.held:
                    self._forget(w)
                    w.stop()
                    self.workers[i] = w = self._start()
                while (queue and len(w.held) < PREFETCH and w.sent < ARTICLES_PER_WORKER
                       and queue[0].index < next_index + window):
                    task = queue.popleft()
                    w.held.append(task)
                    w.sent += 1
                    try:
                        w.conn.send(task)
                    except OSError:
                        break  # it died: found below
            ready = {key.data for key, _ in self.selector.select()}
            for i, w in enumerate(list(self.workers)):
                if w not in ready:
                    continue
                if w.process.is_alive():
                    # One result per wake-up (the pipe stays ready while more are waiting): polling
                    # for the next one would cost a system call per result.
                    r = self._receive(w)
                    if r is not None:
                        done[r.index] = r
                    continue
                for r in self._drain(w):
                    done[r.index] = r
                self._replace(i, w, queue, done)
            while next_index in done:
                yield done.pop(next_index)
                next_index += 1

    @staticmethod
    def _receive(w: _Worker) -> "Result | None":
        if not w.held:
            return None  # only an end of file can be waiting: the sentinel follows
        try:
            result = w.conn.recv()
        except (EOFError, OSError):
            return None
        w.held.popleft()
        return result

    def _drain(self, w: _Worker) -> list[Result]:
        results = []
        try:
            while w.held and w.conn.poll():
                results.append(w.conn.recv())
                w.held.popleft()
        except (EOFError, OSError):
            pass
        return results

    def _replace(self, i: int, w: _Worker, queue: deque, done: dict) -> None:
        w.reap()
        if w.held:
            task = w.held.popleft()
            done[task.index] = Result(task.index, task.path, "error", error=_death(w.process),
                                      kind="crash", size=task.size)
            queue.extendleft(reversed(w.held))
        self._forget(w)
        w.conn.close()
        self.workers[i] = self._start()

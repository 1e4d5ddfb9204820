"""Parse many articles: worker processes or a Dask cluster, output in input order, resumable.

`run()` expands the inputs into `Task`s, has them parsed (in this process for a single article,
by worker processes that load the pipeline once each, or on a Dask cluster), and writes each
`Result` in input order: `DIR/<stem>.json` (temp file + rename) or one complete line per article
in a JSONL file. A file that cannot be parsed becomes a one-line `error: <path>: <reason>` on
stderr and a record in the errors file, and the run goes on; a worker that dies is replaced and
the article it was working on is recorded as a crash.

Resuming: an input is skipped, without extracting it, when its output is already there for the
same article and pipeline: with `--out`, `DIR/<stem>.json` holds the input's `article_id` and the
current `pipeline_version()`; with `--jsonl`, a complete line of the file holds the input's
`article_id` and the current `pipeline_version()` (an article is written to a JSONL file once).
A last line without its newline (from a killed run) is cut off and its article redone.
"""
from __future__ import annotations

import os
import re
import shutil
import sys
import tempfile
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

import orjson

from .io import Source, expand
from .normalize import InputError


@dataclass
class Task:
    index: int
    path: str  # "-" for standard input
    stem: str
    size: int = 0  # bytes, for the progress bar
    target: Optional[str] = None  # --out: the file to check before parsing again
    text: Optional[str] = None  # standard input, read by the main process
    fspath: Optional[str] = None  # the name to open, when `path` had to be made printable


@dataclass
class Result:
    index: int
    path: str
    status: str  # ok | skipped | error
    data: Optional[bytes] = None  # the article's JSON, without a newline
    data_file: Optional[str] = None  # or: a file holding it, with its newline (a huge article)
    article_id: Optional[str] = None
    error: Optional[str] = None  # a one-line reason
    kind: Optional[str] = None  # input | internal | crash
    size: int = 0


@dataclass(frozen=True)
class Settings:
    date: Optional[str] = None
    pretty: bool = False
    done_ids: frozenset = field(default_factory=frozenset)  # --jsonl: articles already written
    # Where a huge article's JSON is written piece by piece (None: built in memory, as for Dask).
    spool_dir: Optional[str] = None


# ---------------------------------------------------------------- the work on one article
def parse_task(task: Task, settings: Settings) -> Result:
    """Read, check for a finished output, extract and serialize one article (runs in a worker)."""
    from . import pipeline

    def fail(reason: str, kind: str) -> Result:
        return Result(task.index, task.path, "error", error=reason, kind=kind, size=task.size)

    try:
        text = task.text if task.text is not None else Source(task.path, task.stem, task.fspath).read()
    except InputError as e:
        return fail(str(e), "input")
    try:
        aid = pipeline.article_id(text)
        if aid in settings.done_ids or (task.target and _written(task.target, aid, pipeline.pipeline_version())):
            return Result(task.index, task.path, "skipped", article_id=aid, size=task.size)
        source = None if task.path == "-" else task.path
        if settings.spool_dir is not None and len(text) > pipeline.HUGE_ARTICLE_CHARS:
            data_file = _write_huge(text, source, aid, settings)
            return Result(task.index, task.path, "ok", data_file=data_file, article_id=aid, size=task.size)
        article = pipeline.extract(text, source=source, date=settings.date)
        option = orjson.OPT_INDENT_2 if settings.pretty else 0
        data = orjson.dumps(article.model_dump(mode="json"), option=option)
    except Exception as e:  # a bug in a component must not stop the other articles
        reason = " ".join(f"{type(e).__name__}: {e}".split())[:300]
        return fail(f"internal error ({reason})", "internal")
    return Result(task.index, task.path, "ok", data=data, article_id=aid, size=task.size)


def _spool_prefix(pid: int) -> str:
    return f".recap-{pid}-"


def remove_spooled(spool_dir: Optional[str], pid: Optional[int]) -> None:
    """Remove what a dead worker left half-written in the spool folder: its unfinished files carry
    its pid (finished ones are renamed without it, and their results may still be on the way)."""
    if not spool_dir or pid is None:
        return
    prefix = _spool_prefix(pid)
    try:
        names = [n for n in os.listdir(spool_dir) if n.startswith(prefix) and n.endswith(".json.part")]
    except OSError:
        return
    for name in names:
        try:
            os.unlink(os.path.join(spool_dir, name))
        except OSError:
            pass


def _write_huge(text: str, source: Optional[str], aid: str, settings: Settings) -> str:
    """Stream a huge article's JSON (and its newline) into a new file in the spool folder."""
    from . import pipeline

    import secrets

    token = secrets.token_hex(6)
    part = os.path.join(settings.spool_dir, f"{_spool_prefix(os.getpid())}{token}.json.part")
    done = os.path.join(settings.spool_dir, f".recap-{token}.json.tmp")
    # not mkstemp: the output keeps the mode (umask) every other output gets
    fd = os.open(part, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with open(fd, "wb", buffering=1 << 20) as fh:
            pipeline.write_in_pieces(text, fh, source=source, date=settings.date, pretty=settings.pretty,
                                     aid=aid, spool_dir=settings.spool_dir)
            fh.write(b"\n")
        os.replace(part, done)
    except BaseException:
        os.unlink(part)
        raise
    return done


# An output longer than this (a huge article's) is judged by its head: the fields before "figures".
HEAD_BYTES = 1 << 20
_HEAD_FIELD = re.compile(rb'"(article_id|pipeline_version)":\s*"([^"\\]*)"')


def _identity(head: bytes, whole: bool) -> Optional[tuple[str, str]]:
    """(article_id, pipeline_version) of an article's JSON, from all of it or from its head."""
    if whole:
        try:
            data = orjson.loads(head)
        except orjson.JSONDecodeError:
            return None
        if isinstance(data, dict) and isinstance(data.get("article_id"), str):
            return data["article_id"], str(data.get("pipeline_version"))
        return None
    fields = dict(_HEAD_FIELD.findall(head.split(b'"figures"', 1)[0]))
    if b"article_id" in fields and b"pipeline_version" in fields:
        return fields[b"article_id"].decode(), fields[b"pipeline_version"].decode()
    return None


def _written(target: str, aid: str, version: str) -> bool:
    try:
        with open(target, "rb") as fh:
            head = fh.read(HEAD_BYTES + 1)
            whole = len(head) <= HEAD_BYTES
            if not whole:
                fh.seek(-2, os.SEEK_END)
                if fh.read().rstrip() != b"}":  # not a complete object
                    return False
    except OSError:
        return False
    return _identity(head, whole) == (aid, version)


def parse_chunk(tasks: list[Task], settings: Settings) -> list[Result]:
    """A Dask task: several articles, so the per-task overhead stays small."""
    return [parse_task(t, settings) for t in tasks]


# ---------------------------------------------------------------- output
def scan_jsonl(path: Path, version: str) -> set[str]:
    """Ids of the articles a JSONL file already holds for `version`; cuts off a partial last line."""
    if not path.exists():
        return set()
    done = set()

    def line(head: bytes, length: int) -> None:
        ident = _identity(head, length <= HEAD_BYTES)
        if ident and ident[0] and ident[1] == version:
            done.add(ident[0])

    # Read in blocks, keeping at most the head of each line: a huge article's line is never held.
    with open(path, "r+b") as fh:
        pos = start = 0  # offset of the block; of the current line
        head = bytearray()
        while block := fh.read(1 << 20):
            i = 0
            while (j := block.find(b"\n", i)) >= 0:
                if len(head) <= HEAD_BYTES:
                    head += block[i:min(j, i + HEAD_BYTES + 1 - len(head))]
                if pos + j > start:
                    line(bytes(head), pos + j - start)
                start, head, i = pos + j + 1, bytearray(), j + 1
            if len(head) <= HEAD_BYTES:
                head += block[i:i + HEAD_BYTES + 1 - len(head)]
            pos += len(block)
        if start < pos:
            fh.truncate(start)
    return done


def errors_path(out: Optional[Path], jsonl: Optional[Path]) -> Optional[Path]:
    """`DIR/errors.jsonl` for --out DIR, `NAME.errors.jsonl` beside --jsonl NAME.jsonl."""
    if out is not None:
        return out / "errors.jsonl"
    if jsonl is not None:
        return jsonl.with_name(f"{jsonl.stem}.errors.jsonl")
    return None


class Writer:
    """Writes results in the order given: files, JSONL lines or stdout, and the errors file."""

    def __init__(self, out: Optional[Path], jsonl: Optional[Path], say, version: str):
        self.out, self.jsonl, self.say, self.version = out, jsonl, say, version
        self.errors_file = errors_path(out, jsonl)
        self._errors = None
        self._sink = None
        self.written: set[str] = set()
        self.counts = {"ok": 0, "skipped": 0, "error": 0}
        if self.errors_file is not None and self.errors_file.exists():
            self.errors_file.unlink()  # errors of an earlier run are retried in this one

    def open_jsonl(self) -> set[str]:
        assert self.jsonl is not None
        self.jsonl.parent.mkdir(parents=True, exist_ok=True)
        done = scan_jsonl(self.jsonl, self.version)
        self.written |= done
        self._sink = open(self.jsonl, "ab")
        return done

    def result(self, r: Result, stem: str) -> None:
        if r.status == "error":
            self.error(r.path, r.error or "failed", r.kind or "internal")
            return
        if r.status == "skipped" or (self.jsonl is not None and r.article_id in self.written):
            self.counts["skipped"] += 1
            if r.data_file is not None:
                os.unlink(r.data_file)
            return
        self.counts["ok"] += 1
        if self.out is not None:
            target = self.out / f"{stem}.json"
            if r.data_file is not None:
                os.replace(r.data_file, target)
                return
            tmp = target.with_name(f".{target.name}.tmp")
            tmp.write_bytes(r.data + b"\n")
            os.replace(tmp, target)
        elif self._sink is not None:
            self._copy(r, self._sink)
            self.written.add(r.article_id)
        else:
            self._copy(r, sys.stdout.buffer)

    @staticmethod
    def _copy(r: Result, sink) -> None:
        if r.data_file is None:
            sink.write(r.data + b"\n")
        else:
            try:
                with open(r.data_file, "rb") as fh:
                    shutil.copyfileobj(fh, sink, 1 << 20)
            finally:
                os.unlink(r.data_file)
        sink.flush()

    def error(self, path: str, reason: str, kind: str) -> None:
        self.counts["error"] += 1
        self.say(f"error: {path}: {reason}")
        if self.errors_file is None:
            return
        if self._errors is None:
            self.errors_file.parent.mkdir(parents=True, exist_ok=True)
            self._errors = open(self.errors_file, "ab")
        record = {"source": path, "error": reason, "kind": kind, "pipeline_version": self.version}
        self._errors.write(orjson.dumps(record) + b"\n")
        self._errors.flush()

    def close(self) -> None:
        for fh in (self._sink, self._errors):
            if fh is not None:
                fh.close()


# ---------------------------------------------------------------- engines
def default_jobs() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:
        return os.cpu_count() or 1


@contextmanager
def engine_results(tasks: list[Task], settings: Settings, engine: str, jobs: Optional[int],
                   scheduler: Optional[str]) -> Iterator[Iterator[Result]]:
    """Results in input order from the chosen engine, started before any progress thread is."""
    if engine == "dask":
        from .dask_engine import DaskRunner

        with DaskRunner(scheduler, jobs) as runner:
            yield runner.map(tasks, settings)
    elif len(tasks) < 2:
        yield (parse_task(t, settings) for t in tasks)
    else:
        from .workers import WorkerPool

        with WorkerPool(min(jobs or default_jobs(), len(tasks)), settings) as pool:
            yield pool.map(tasks)


# ---------------------------------------------------------------- the command
def _tasks(paths: Iterable[str], out: Optional[Path], writer_error) -> list[Task]:
    tasks: list[Task] = []
    for source, problem in expand(list(paths)):
        if problem:
            path, _, reason = problem.partition(": ")
            writer_error(path, reason or problem, "input")
            continue
        task = Task(len(tasks), source.path, source.stem, fspath=source.fspath)
        if source.path == "-":
            try:
                task.text = source.read()
            except InputError as e:
                writer_error("-", str(e), "input")
                continue
            task.size = len(task.text.encode("utf-8", "surrogatepass"))
        else:
            try:
                task.size = os.stat(source.path).st_size
            except OSError:
                pass
        if out is not None:
            task.target = str(out / f"{source.stem}.json")
        tasks.append(task)
    for i, task in enumerate(tasks):
        task.index = i
    return tasks


def run(
    paths: list[str], *, out: Optional[Path] = None, jsonl: Optional[Path] = None,
    date: Optional[str] = None, pretty: bool = False, jobs: Optional[int] = None,
    engine: str = "local", scheduler: Optional[str] = None, progress: Optional[bool] = None,
    force: bool = False,
) -> dict[str, int]:
    """Parse `paths` to `out`, `jsonl` or stdout; returns the counts of articles written ("ok"),
    skipped as already done ("skipped") and failed ("error")."""
    from .pipeline import pipeline_version
    from .progress import Reporter

    version = pipeline_version()
    show = sys.stderr.isatty() if progress is None else progress
    reporter = Reporter(show)
    writer = Writer(out, jsonl, reporter.say, version)
    try:
        if out is not None:
            out.mkdir(parents=True, exist_ok=True)
        done_ids: set[str] = set()
        if jsonl is not None:
            done_ids = writer.open_jsonl()
            if force:
                done_ids = set()
                writer.written.clear()
        tasks = _tasks(paths, None if force else out, writer.error)
        spool_dir = None if engine == "dask" else str(
            out if out is not None else jsonl.parent if jsonl is not None else tempfile.gettempdir())
        settings = Settings(date=date, pretty=pretty and jsonl is None, done_ids=frozenset(done_ids),
                            spool_dir=spool_dir)
        started = time.monotonic()
        with engine_results(tasks, settings, engine, jobs, scheduler) as results:
            reporter.start(len(tasks), sum(t.size for t in tasks))
            for r in results:
                writer.result(r, tasks[r.index].stem)
                reporter.advance(r)
        reporter.finish(writer.counts, time.monotonic() - started)
    except KeyboardInterrupt:
        reporter.stop()
        reporter.say("interrupted: finished articles are written; run the same command again to resume")
        writer.close()
        raise
    finally:
        reporter.stop()
        writer.close()
    return writer.counts

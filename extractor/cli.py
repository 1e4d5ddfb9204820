"""The `recap` command line: a thin layer over the library API."""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional

import orjson
import typer

app = typer.Typer(
    name="recap",
    help="Turn Chinese stock-market recap articles (复盘, 收评) into structured, checkable JSON.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def error(msg: str) -> None:
    typer.echo(f"error: {msg}", err=True)


def _check_date(value: Optional[str]) -> Optional[str]:
    from .dates import valid

    if value is None:
        return None
    try:
        y, m, d = (int(x) for x in value.split("-"))
        if valid(y, m, d) is None or len(value) != 10:
            raise ValueError
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a date in YYYY-MM-DD form") from None
    return value


@app.command()
def parse(
    paths: list[str] = typer.Argument(..., help="Article files, folders (every *.txt, *.html, *.md inside, recursively), or - for stdin."),
    out: Optional[Path] = typer.Option(None, "--out", "-o", help="Write DIR/<stem>.json for each article."),
    jsonl: Optional[Path] = typer.Option(None, "--jsonl", help="Write one JSON line per article to FILE."),
    date: Optional[str] = typer.Option(None, "--date", callback=_check_date, help="Trading date YYYY-MM-DD for articles that do not state it."),
    pretty: bool = typer.Option(False, "--pretty", help="Indent the JSON."),
    jobs: Optional[int] = typer.Option(None, "--jobs", "-j", min=1, help="Worker processes (default: all cores; Dask: local workers, default 2)."),
    engine: str = typer.Option("local", "--engine", help="local (worker processes) or dask."),
    scheduler: Optional[str] = typer.Option(None, "--scheduler", help="Dask scheduler address (tcp://host:8786); without it --engine dask starts a local cluster."),
    progress: Optional[bool] = typer.Option(None, "--progress/--no-progress", help="Progress bar on stderr (default: only on a terminal)."),
    force: bool = typer.Option(False, "--force", help="Parse again articles whose output is already there."),
) -> None:
    """Extract figures, companies, themes, market statistics and boards from articles.

    Reruns resume: an article whose output already holds its article_id and this
    pipeline_version is skipped. Failures go to stderr and to DIR/errors.jsonl (or
    NAME.errors.jsonl beside --jsonl NAME.jsonl); the exit status is then 1.
    """
    from .batch import run
    from .io import expand

    if out and jsonl:
        raise typer.BadParameter("use either --out or --jsonl, not both")
    if engine not in ("local", "dask"):
        raise typer.BadParameter("--engine is local or dask")
    if scheduler and engine != "dask":
        raise typer.BadParameter("--scheduler needs --engine dask")
    if not out and not jsonl and sum(1 for s, _ in expand(paths) if s) > 1:
        raise typer.BadParameter("several inputs: choose --out DIR or --jsonl FILE")
    counts = run(paths, out=out, jsonl=jsonl, date=date, pretty=pretty, jobs=jobs, engine=engine,
                 scheduler=scheduler, progress=progress, force=force)
    if counts["error"]:
        raise typer.Exit(1)


@app.command()
def schema() -> None:
    """Print the JSON Schema of the output."""
    from .models import json_schema

    sys.stdout.buffer.write(orjson.dumps(json_schema(), option=orjson.OPT_INDENT_2) + b"\n")


def main() -> None:
    app()
from .store.commands import register as _register_store; _register_store(app)  # noqa: E402,E702
from .web.cli import register as _register_web; _register_web(app)  # noqa: E402,E702

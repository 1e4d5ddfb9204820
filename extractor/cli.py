"""The `recap` command line: a thin layer over the library API."""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional

import orjson
import typer

from .io import expand
from .normalize import InputError

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
) -> None:
    """Extract figures, companies, themes, market statistics and boards from articles."""
    from .pipeline import extract

    if out and jsonl:
        raise typer.BadParameter("use either --out or --jsonl, not both")
    sources = list(expand(paths))
    n_inputs = sum(1 for s, _ in sources if s)
    if not out and not jsonl and n_inputs > 1:
        raise typer.BadParameter("several inputs: choose --out DIR or --jsonl FILE")
    opts = orjson.OPT_INDENT_2 if pretty else 0
    failed = False
    if out:
        out.mkdir(parents=True, exist_ok=True)
    sink = open(jsonl, "ab") if jsonl else None
    try:
        for source, problem in sources:
            if problem:
                error(problem)
                failed = True
                continue
            try:
                text = source.read()
            except InputError as e:
                error(f"{source.path}: {e}")
                failed = True
                continue
            article = extract(text, source=None if source.path == "-" else source.path, date=date)
            data = orjson.dumps(article.model_dump(mode="json"), option=opts)
            if out:
                target = out / f"{source.stem}.json"
                tmp = target.with_suffix(".json.tmp")
                tmp.write_bytes(data + b"\n")
                tmp.replace(target)
            elif sink:
                sink.write(orjson.dumps(article.model_dump(mode="json")) + b"\n")
            else:
                sys.stdout.buffer.write(data + b"\n")
    finally:
        if sink:
            sink.close()
    if failed:
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

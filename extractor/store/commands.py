"""`recap ingest`, `recap search`, `recap timeline`, `recap compare`: thin typer commands."""
from __future__ import annotations

import sys
from typing import Optional

import orjson
import typer

DB_HELP = "Store: a SQLite file, or postgresql://… (default: $RECAP_DB, else recap.db)."


def _error(msg: str) -> None:
    typer.echo(f"error: {msg}", err=True)


def _open(db: Optional[str], read_only: bool):
    from .core import open_store
    from .db import StoreError

    try:
        return open_store(db, read_only=read_only)
    except StoreError as e:
        _error(str(e))
        raise typer.Exit(1) from None


def _date(value: Optional[str]) -> Optional[str]:
    if value is None:
        return None
    from ..cli import _check_date

    return _check_date(value)


def _print_json(data) -> None:
    sys.stdout.buffer.write(orjson.dumps(data, option=orjson.OPT_INDENT_2 | orjson.OPT_NON_STR_KEYS) + b"\n")


def ingest(
    paths: list[str] = typer.Argument(..., help="Article files or folders (text/HTML to parse, or *.json/*.jsonl already parsed)."),
    db: Optional[str] = typer.Option(None, "--db", help=DB_HELP),
    date: Optional[str] = typer.Option(None, "--date", callback=_date, help="Trading date YYYY-MM-DD for articles that do not state it."),
    batch_size: int = typer.Option(20, "--batch-size", min=1, help="Articles per transaction."),
) -> None:
    """Parse (or read parsed JSON) and store articles for search, timelines and comparisons."""
    from .core import _safe_url
    from .ingest import ingest_paths

    store = _open(db, read_only=False)
    try:
        report = ingest_paths(store, paths, date=date, batch_size=batch_size, on_error=_error)
    finally:
        store.close()
    typer.echo(f"{report.added} added, {report.replaced} replaced, {report.unchanged} unchanged, "
               f"{len(report.errors)} errors ({_safe_url(store.url)})", err=True)
    if report.errors:
        raise typer.Exit(1)


def search(
    query: str = typer.Argument(..., help="Words to find (all must occur); Simplified or Traditional."),
    company: Optional[str] = typer.Option(None, "--company", help="Only articles about this company (name or code)."),
    theme: Optional[str] = typer.Option(None, "--theme", help="Only articles about this theme."),
    metric: Optional[str] = typer.Option(None, "--metric", help="Only claims with this metric."),
    modality: Optional[str] = typer.Option(None, "--modality", help="Only claims with this modality (fact, rumor, forecast, estimate, opinion)."),
    since: Optional[str] = typer.Option(None, "--since", callback=_date, help="From this trading date."),
    until: Optional[str] = typer.Option(None, "--until", callback=_date, help="Up to this trading date."),
    limit: int = typer.Option(20, "--limit", min=1, help="At most this many hits."),
    as_json: bool = typer.Option(False, "--json", help="Print hits as JSON (snippet_html has <mark>)."),
    db: Optional[str] = typer.Option(None, "--db", help=DB_HELP),
) -> None:
    """Full-text search over stored articles and claims, best matches first."""
    store = _open(db, read_only=True)
    try:
        hits = store.search(query, company=company, theme=theme, metric=metric, modality=modality,
                            since=since, until=until, limit=limit)
    finally:
        store.close()
    if as_json:
        _print_json([h.to_dict() for h in hits])
        return
    tty = sys.stdout.isatty()
    for h in hits:
        head = f"{h.trading_date or '----------'}  {h.source or h.article_id}  {h.kind}  {h.score:.3g}"
        if h.claim:
            c = h.claim
            head += f"  [{c['key']}] {c['text']}"
        typer.echo(head)
        snippet = "".join(f"\x1b[1m{t}\x1b[0m" if hit else t for t, hit in h.segments) if tty else h.snippet
        typer.echo(f"    {snippet}")
    if not hits:
        typer.echo("no matches", err=True)


def register(app: typer.Typer) -> None:
    """Add the store's commands to the `recap` command line."""
    app.command()(ingest)
    app.command()(search)
    from .compare import compare_command
    from .timeline import timeline_command

    app.command(name="timeline")(timeline_command)
    app.command(name="compare")(compare_command)

"""`recap serve`: the web pages and JSON API on a local port."""
from __future__ import annotations

from typing import Optional

import typer


def serve(
    db: Optional[str] = typer.Option(None, "--db", help="Store: a SQLite file, or postgresql://… (default: $RECAP_DB, else recap.db)."),
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on (default: this machine only)."),
    port: int = typer.Option(8000, "--port", min=0, max=65535, help="Port to listen on."),
) -> None:
    """Serve pages to search, browse and compare the stored articles (read-only), and a JSON API."""
    from ..store import StoreError, open_store
    from ..store.db import default_url

    try:
        import uvicorn

        from .app import create_app
    except ImportError as e:
        typer.echo(f"error: recap serve needs the web extra ({e.name} is missing): "
                   "pip install 'recap-extractor[web]'", err=True)
        raise typer.Exit(1) from None
    url = db or default_url()
    try:
        open_store(url, read_only=True).close()
    except StoreError as e:
        typer.echo(f"error: {e}", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"serving {url} on http://{host}:{port}/ (read-only; Ctrl-C stops)", err=True)
    uvicorn.run(create_app(url), host=host, port=port, log_level="warning")


def register(app: typer.Typer) -> None:
    app.command()(serve)

"""The FastAPI application: pages (server-rendered Jinja2) and the JSON API, read-only over a store."""
from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Optional

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException as StarletteHTTPException

from ..store import Store, StoreError, open_store
from . import fmt

HERE = Path(__file__).resolve().parent
log = logging.getLogger("recap.web")

CSP = ("default-src 'none'; style-src 'self'; img-src 'self' data:; script-src 'self'; form-action 'self'; "
       "base-uri 'none'; frame-ancestors 'none'")


class WebError(Exception):
    """A request the pages or the API answer with `status` and a one-line `message`."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


def get_store(request: Request) -> Iterator[Store]:
    """One read-only store connection per request (SQLite and psycopg connections are not shared
    between the server's worker threads)."""
    try:
        store = open_store(request.app.state.db_url, read_only=True)
    except StoreError as e:
        raise WebError(503, f"the store cannot be opened: {e}") from None
    try:
        yield store
    finally:
        store.close()


def _templates() -> Jinja2Templates:
    t = Jinja2Templates(directory=str(HERE / "templates"))
    env = t.env
    env.autoescape = True
    env.trim_blocks = True
    env.lstrip_blocks = True
    env.filters.update(human=fmt.human, signed=fmt.signed, stat_label=fmt.stat_label, value=fmt.value,
                       span_value=fmt.span_value, claim_value=fmt.claim_value,
                       evidence=fmt.evidence_html)
    return t


def render(request: Request, name: str, status: int = 200, **context) -> HTMLResponse:
    return request.app.state.templates.TemplateResponse(request, name, context, status_code=status)


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/") or request.url.path == "/openapi.json"


def error_response(request: Request, status: int, message: str):
    if _is_api(request):
        return JSONResponse({"detail": message}, status_code=status)
    return render(request, "error.html", status=status, status_code=status, message=message,
                  title=f"{status} {_REASONS.get(status, 'error')}")


_REASONS = {400: "bad request", 404: "not found", 405: "method not allowed", 422: "invalid request",
            500: "internal error", 503: "store unavailable"}


def _validation_message(exc: RequestValidationError) -> str:
    parts = []
    for e in exc.errors():
        where = ".".join(str(x) for x in e.get("loc", ()) if x not in ("query", "path", "body"))
        parts.append(f"{where}: {e.get('msg', 'invalid')}" if where else e.get("msg", "invalid"))
    return "; ".join(parts) or "invalid request"


def create_app(db_url: Optional[str] = None) -> FastAPI:
    """The web application over the store at `db_url` (default $RECAP_DB, else recap.db)."""
    from ..store.db import default_url
    from .api import router as api_router
    from .pages import router as pages_router

    app = FastAPI(
        title="recap-extractor claims corpus",
        description="Search, browse and compare stored recap articles. The same data as the HTML pages, "
                    "as JSON. Read-only.",
        version="1",
        docs_url=None, redoc_url=None,  # their UIs load scripts from a CDN; /api lists the endpoints instead
    )
    app.state.db_url = db_url or default_url()
    app.state.templates = _templates()
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    app.include_router(api_router)
    app.include_router(pages_router)

    @app.middleware("http")
    async def security_headers(request: Request, call_next):
        response = await call_next(request)
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        return response

    @app.exception_handler(WebError)
    async def _web_error(request: Request, exc: WebError):
        return error_response(request, exc.status, exc.message)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException):
        message = exc.detail if isinstance(exc.detail, str) else _REASONS.get(exc.status_code, "error")
        if exc.status_code == 404 and message == "Not Found":
            message = f"no page at {request.url.path}"
        return error_response(request, exc.status_code, message)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError):
        if _is_api(request):
            return JSONResponse({"detail": _validation_message(exc), "errors": _jsonable(exc.errors())},
                                status_code=422)
        return error_response(request, 422, _validation_message(exc))

    @app.exception_handler(Exception)
    async def _crash(request: Request, exc: Exception):
        log.exception("error answering %s", request.url.path)
        return error_response(request, 500, "the server could not answer this request (see its log)")

    return app


def _jsonable(errors: list[dict]) -> list[dict]:
    return [{"loc": list(e.get("loc", ())), "msg": str(e.get("msg", "")), "type": str(e.get("type", ""))}
            for e in errors]

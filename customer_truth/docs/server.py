"""Serve the doc sites on 127.0.0.1 behind a token made at each start, as Jupyter does.

The docs are for the person at this machine, not for the API's consumers: an API key stands for
a consumer and its policy (``customer_truth/api``), and no consumer policy covers the project's
lineage or the Data Docs' validation pages (which can show sampled unexpected values). So the
server binds to 127.0.0.1 only and makes a random token each time it starts, printed in the URL
to open. The first request carrying ``?token=`` sets an HttpOnly, SameSite=Strict cookie and is
redirected to the same page without it, so the token leaves the address bar and every asset the
page loads is allowed by the cookie. A request without the token or the cookie gets 401.
``Authorization: Bearer <token>`` works too, for scripts.
"""

from __future__ import annotations

import html
import secrets
from collections.abc import Awaitable, Callable

import uvicorn
from fastapi import FastAPI, Request, Response
from fastapi.responses import HTMLResponse, PlainTextResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles

from customer_truth.docs.build import DocSites

HOST = "127.0.0.1"  # never another: the docs are for this machine's user
DEFAULT_PORT = 8080  # `dbt docs serve`'s
COOKIE = "customer_truth_docs"


def new_token() -> str:
    return secrets.token_urlsafe(24)


def docs_app(sites: DocSites, token: str) -> FastAPI:
    app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)
    cookie = f"{COOKIE}_{secrets.token_hex(4)}"  # two servers on one host keep their own

    def _matches(candidate: str | None) -> bool:
        return candidate is not None and secrets.compare_digest(candidate, token)

    @app.middleware("http")
    async def require_token(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        if _matches(request.query_params.get("token")):
            # keep the page, drop the token from the address (and from the page's history)
            url = request.url.remove_query_params("token")
            response: Response = RedirectResponse(str(url), status_code=303)
            response.set_cookie(cookie, token, httponly=True, samesite="strict")
            return response
        bearer = request.headers.get("authorization", "")
        if _matches(request.cookies.get(cookie)) or (
            bearer.startswith("Bearer ") and _matches(bearer.removeprefix("Bearer "))
        ):
            return await call_next(request)
        return PlainTextResponse(
            "401: open the URL `customer-truth docs` printed (it carries this start's token)\n",
            status_code=401,
        )

    @app.get("/", response_class=HTMLResponse)
    def home() -> str:
        return _HOME.format(
            dbt=html.escape(str(sites.dbt)), data_docs=html.escape(str(sites.data_docs))
        )

    app.mount("/dbt", StaticFiles(directory=sites.dbt, html=True), name="dbt")
    app.mount("/data-docs", StaticFiles(directory=sites.data_docs, html=True), name="data-docs")
    return app


def docs_server(sites: DocSites, port: int, token: str) -> uvicorn.Server:
    """A uvicorn server for the sites on 127.0.0.1:``port`` (0: any free port)."""
    # access_log off: the first request line carries the token
    config = uvicorn.Config(
        docs_app(sites, token), host=HOST, port=port, access_log=False, log_level="warning"
    )
    return uvicorn.Server(config)


def serve_docs(sites: DocSites, port: int) -> None:
    token = new_token()
    server = docs_server(sites, port, token)
    print(
        f"serving the docs on {HOST}:{port} until Ctrl-C; open\n"
        f"    http://{HOST}:{port}/?token={token}",
        flush=True,
    )
    server.run()


_HOME = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Customer Truth docs</title>
<style>body {{ font: 16px/1.5 system-ui, sans-serif; margin: 3rem auto; max-width: 44rem; }}
a {{ font-size: 1.2rem; }} code {{ color: #555; font-size: .85rem; }}</style></head>
<body><h1>Customer Truth docs</h1>
<p><a href="dbt/">dbt docs</a>: the project overview, every model, source, test and their
lineage; the columns as the warehouse holds them.<br><code>{dbt}</code></p>
<p><a href="data-docs/">Great Expectations Data Docs</a>: every gate suite and the result of
each validation run.<br><code>{data_docs}</code></p>
<p>Both are files: they open offline from the folders above too.</p>
</body></html>
"""

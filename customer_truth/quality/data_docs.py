"""Great Expectations Data Docs that work offline: their static assets local, no CDN.

GX 1.24 writes every page with ``<script>`` and ``<link>`` tags that load jQuery, Bootstrap,
bootstrap-table, Font Awesome and Vega from CDNs, and its logo from an S3 bucket (with the data
context's id in the query string). Offline, the index shows an empty list: bootstrap-table
draws it from data inline in the page. GX's templates cannot be overridden by configuration (its
template loader comes before a custom views folder), so the built pages are rewritten instead:
the assets are copied into the site (``static/vendor/``, from ``data_docs_assets/`` beside this
module and from Splink's bundled Vega) and each CDN address becomes a relative path. A page that
still loads anything from the network afterwards raises ``DataDocsNotOfflineError``, so a GX
upgrade that names a new asset fails loudly rather than showing an empty page.
"""

from __future__ import annotations

import os
import re
import shutil
from html.parser import HTMLParser
from importlib.resources import files
from pathlib import Path

ASSETS = Path(__file__).parent / "data_docs_assets"
VENDOR = Path("static") / "vendor"  # inside the site

# Vega, Vega-Lite and Vega-Embed: the copies Splink ships for its own offline charts
_SPLINK_JS = Path(str(files("splink"))) / "internals" / "files" / "external_js"

# every CDN address GX's pages name -> (source file, its path under static/vendor/)
CDN_ASSETS: dict[str, tuple[Path, str]] = {
    "https://code.jquery.com/jquery-3.7.1.min.js": (
        ASSETS / "jquery-3.7.1/jquery.min.js",
        "jquery-3.7.1/jquery.min.js",
    ),
    "https://maxcdn.bootstrapcdn.com/bootstrap/4.3.1/css/bootstrap.min.css": (
        ASSETS / "bootstrap-4.3.1/css/bootstrap.min.css",
        "bootstrap-4.3.1/css/bootstrap.min.css",
    ),
    "https://stackpath.bootstrapcdn.com/bootstrap/4.3.1/js/bootstrap.min.js": (
        ASSETS / "bootstrap-4.3.1/js/bootstrap.min.js",
        "bootstrap-4.3.1/js/bootstrap.min.js",
    ),
    "https://cdnjs.cloudflare.com/ajax/libs/popper.js/1.12.9/umd/popper.min.js": (
        ASSETS / "popper.js-1.12.9/popper.min.js",
        "popper.js-1.12.9/popper.min.js",
    ),
    "https://unpkg.com/bootstrap-table@1.19.1/dist/bootstrap-table.min.js": (
        ASSETS / "bootstrap-table-1.19.1/bootstrap-table.min.js",
        "bootstrap-table-1.19.1/bootstrap-table.min.js",
    ),
    "https://unpkg.com/bootstrap-table@1.19.1/dist/bootstrap-table.min.css": (
        ASSETS / "bootstrap-table-1.19.1/bootstrap-table.min.css",
        "bootstrap-table-1.19.1/bootstrap-table.min.css",
    ),
    "https://unpkg.com/bootstrap-table@1.19.1/dist/extensions/filter-control/"
    "bootstrap-table-filter-control.min.js": (
        ASSETS / "bootstrap-table-1.19.1/extensions/filter-control/"
        "bootstrap-table-filter-control.min.js",
        "bootstrap-table-1.19.1/extensions/filter-control/bootstrap-table-filter-control.min.js",
    ),
    # the pages name 1.19.0 for this CSS (minified on the index, not elsewhere): 1.19.1's file
    # differs only in its version banner
    "https://unpkg.com/bootstrap-table@1.19.0/dist/extensions/filter-control/"
    "bootstrap-table-filter-control.min.css": (
        ASSETS / "bootstrap-table-1.19.1/extensions/filter-control/"
        "bootstrap-table-filter-control.min.css",
        "bootstrap-table-1.19.1/extensions/filter-control/bootstrap-table-filter-control.min.css",
    ),
    "https://unpkg.com/bootstrap-table@1.19.0/dist/extensions/filter-control/"
    "bootstrap-table-filter-control.css": (
        ASSETS / "bootstrap-table-1.19.1/extensions/filter-control/"
        "bootstrap-table-filter-control.min.css",
        "bootstrap-table-1.19.1/extensions/filter-control/bootstrap-table-filter-control.min.css",
    ),
    "https://cdnjs.cloudflare.com/ajax/libs/bootstrap-datepicker/1.9.0/css/"
    "bootstrap-datepicker.min.css": (
        ASSETS / "bootstrap-datepicker-1.9.0/css/bootstrap-datepicker.min.css",
        "bootstrap-datepicker-1.9.0/css/bootstrap-datepicker.min.css",
    ),
    "https://cdnjs.cloudflare.com/ajax/libs/bootstrap-datepicker/1.9.0/js/"
    "bootstrap-datepicker.min.js": (
        ASSETS / "bootstrap-datepicker-1.9.0/js/bootstrap-datepicker.min.js",
        "bootstrap-datepicker-1.9.0/js/bootstrap-datepicker.min.js",
    ),
    "https://cdnjs.cloudflare.com/ajax/libs/font-awesome/6.6.0/css/all.min.css": (
        ASSETS / "fontawesome-free-6.6.0/css/all.min.css",
        "fontawesome-free-6.6.0/css/all.min.css",
    ),
    "https://cdn.jsdelivr.net/npm/@forevolve/bootstrap-dark@1.1.0/dist/css/"
    "bootstrap-prefers-dark.css": (
        ASSETS / "bootstrap-dark-1.1.0/bootstrap-prefers-dark.min.css",
        "bootstrap-dark-1.1.0/bootstrap-prefers-dark.min.css",
    ),
    "https://cdn.jsdelivr.net/npm/vega@5": (_SPLINK_JS / "vega@5.31.0", "vega-5.31.0/vega.min.js"),
    "https://cdn.jsdelivr.net/npm/vega-lite@5": (
        _SPLINK_JS / "vega-lite@5.2.0",
        "vega-lite-5.2.0/vega-lite.min.js",
    ),
    "https://cdn.jsdelivr.net/npm/vega-embed@6": (
        _SPLINK_JS / "vega-embed@6.20.2",
        "vega-embed-6.20.2/vega-embed.min.js",
    ),
}
# files a copied stylesheet loads by a relative path (Font Awesome's ../webfonts/)
_CSS_COMPANIONS = ("fontawesome-free-6.6.0/webfonts",)

# GX's logo, from its S3 bucket with the data context's id in the query string: the copy GX
# itself puts in the site's static/images/ serves instead (dark mode's logo has no local copy)
_GX_IMAGES = re.compile(
    r"https://great-expectations-web-assets\.s3\.us-east-2\.amazonaws\.com/"
    r"(?:logo-long|full_logo_dark)\.png(?:\?[^\"')\s]*)?"
)
_LOCAL_LOGO = Path("static") / "images" / "logo-long.png"
# GX's own images, addressed from the page's depth: its favicon path on a validation page is
# one level short (it misses the data asset's folder), so every such path is made again here
_GX_LOCAL_IMAGES = re.compile(r"""(?<=["'(])(?:\.\./)*static/images/""")
# integrity pins a third-party copy; crossorigin would make a page opened from disk (file://)
# refuse its own local scripts. The copies are the pinned bytes (data_docs_assets/README.md).
_SRI = re.compile(r'\s+(?:integrity="sha\d+-[^"]*"|crossorigin="anonymous")')


class DataDocsNotOfflineError(RuntimeError):
    """A Data Docs page still loads something from the network after the rewrite."""


def copy_assets(site: Path) -> None:
    """The vendored files under ``site/static/vendor/``; a file already there is kept."""
    wanted: list[tuple[Path, Path]] = [
        (source, site / VENDOR / target) for source, target in CDN_ASSETS.values()
    ]
    for folder in _CSS_COMPANIONS:
        wanted += [(f, site / VENDOR / folder / f.name) for f in (ASSETS / folder).iterdir()]
    for source, target in wanted:
        if target.exists() and target.stat().st_size == source.stat().st_size:
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)


def localise_page(page: Path, site: Path) -> bool:
    """Point one page at the site's local copies; True when it changed."""
    text = page.read_text(encoding="utf-8")
    to_site = Path(os.path.relpath(site, page.parent))
    rewritten = text
    for url, (_, target) in CDN_ASSETS.items():
        local = (to_site / VENDOR / target).as_posix()
        rewritten = rewritten.replace(f'"{url}"', f'"{local}"')
    rewritten = _GX_IMAGES.sub((to_site / _LOCAL_LOGO).as_posix(), rewritten)
    rewritten = _GX_LOCAL_IMAGES.sub(f"{(to_site / 'static' / 'images').as_posix()}/", rewritten)
    rewritten = _SRI.sub("", rewritten)
    if rewritten == text:
        return False
    temporary = page.with_name(f".{page.name}.tmp")
    temporary.write_text(rewritten, encoding="utf-8")
    temporary.replace(page)  # a reader never sees half a page
    return True


def make_offline(site: Path, changed_since: float | None = None) -> list[Path]:
    """Copy the assets into ``site`` and rewrite its pages (only those modified at or after
    ``changed_since``, a ``time.time()``, when given: a checkpoint rewrites a few pages, not
    every past run's). Returns the pages rewritten; raises ``DataDocsNotOfflineError`` when a
    page still loads a remote asset."""
    if not site.is_dir():
        return []
    copy_assets(site)
    pages = [
        p
        for p in sorted(site.rglob("*.html"))
        if changed_since is None or p.stat().st_mtime >= changed_since
    ]
    rewritten = [p for p in pages if localise_page(p, site)]
    remote = {p: remote_assets(p.read_text(encoding="utf-8")) for p in pages}
    remote = {p: urls for p, urls in remote.items() if urls}
    if remote:
        listed = "; ".join(
            f"{p.relative_to(site)}: {', '.join(sorted(u))}" for p, u in remote.items()
        )
        raise DataDocsNotOfflineError(
            f"Data Docs pages still load remote assets (no local copy in {ASSETS}): {listed}"
        )
    return rewritten


class _AssetReferences(HTMLParser):
    """The addresses a page loads by itself: scripts, stylesheets, images, frames, CSS url()s
    (links a reader follows, ``<a href>``, are not loaded)."""

    _LOADS = {"script": "src", "img": "src", "iframe": "src", "link": "href", "source": "src"}

    def __init__(self) -> None:
        super().__init__()
        self.urls: set[str] = set()
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        attribute = self._LOADS.get(tag)
        if attribute and values.get(attribute):
            self.urls.add(values[attribute] or "")
        self.urls.update(_css_urls(values.get("style") or ""))
        self._in_style = tag == "style"

    def handle_endtag(self, tag: str) -> None:
        self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self.urls.update(_css_urls(data))


_CSS_URL = re.compile(r"""url\(\s*['"]?([^'")\s]+)""")


def _css_urls(css: str) -> set[str]:
    return set(_CSS_URL.findall(css))


def remote_assets(html: str) -> set[str]:
    """The http(s) and protocol-relative addresses a page would load from the network."""
    parser = _AssetReferences()
    parser.feed(html)
    return {u for u in parser.urls if u.startswith(("http://", "https://", "//"))}

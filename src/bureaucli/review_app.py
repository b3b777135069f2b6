"""`bureau review`: the Flask application, served by waitress on 127.0.0.1.

Safe by default: a random token in the first URL (then a same-site cookie) for every request; a header
with the token for every write, so no other page can post here; the Host header checked against the
address served (no DNS rebinding); ids from requests looked up in the catalog; writes only through
`bureaucli.corrections` into `data/corrections/`, each under the workspace lock for that request alone,
so a `bureau run` and a review session take turns ("busy, try again") and never corrupt each other.
"""

from __future__ import annotations

import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlencode

from flask import Flask, Response, abort, g, jsonify, redirect, render_template, request, url_for

from bureaucli import __version__
from bureaucli.catalog import Catalog
from bureaucli.corrections import (
    EDITABLE_CASE_FIELDS,
    add_person_override,
    parse_case_value,
    reanchor_case_corrections,
    set_case_fields,
)
from bureaucli.errors import ConfigError, WorkspaceError
from bureaucli.pipeline import find_page, save_text_correction, segment_stage
from bureaucli.review_page import (
    IMAGE_VIEWS,
    SCREEN_WIDTH,
    VOCABULARIES,
    NotFound,
    case_fields,
    page_image,
    page_view,
)
from bureaucli.review_queue import QUEUE_PAGE_SIZE, QueueEntry, QueueFilter, queue_page, stale_entries
from bureaucli.templating import FILTERS
from bureaucli.workspace import Workspace

COOKIE = "bureau_review"
TOKEN_HEADER = "X-Bureau-Token"
IMAGES_KEPT = 8
"""Page images kept in memory: the pages around the one being reviewed, made once."""
MAX_TEXT = 1_000_000
"""Characters in a saved page: far above any typed page, low enough to refuse a runaway request."""


class ImageCache:
    """The last few encoded page images, shared by the server's threads."""

    def __init__(self, size: int):
        self.size = size
        self._images: OrderedDict[tuple[str, ...], bytes] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple[str, ...], make: Callable[[], bytes]) -> bytes:
        with self._lock:
            if key in self._images:
                self._images.move_to_end(key)
                return self._images[key]
        image = make()
        with self._lock:
            self._images[key] = image
            while len(self._images) > self.size:
                self._images.popitem(last=False)
        return image

    def prefetch(self, key: tuple[str, ...], make: Callable[[], bytes]) -> None:
        """Make an image in the background (the next page of the queue), so going there is instant."""
        with self._lock:
            if key in self._images:
                return
        threading.Thread(target=self.get, args=(key, make), daemon=True).start()


def create_app(ws: Workspace, token: str, hosts: frozenset[str] | None = None) -> Flask:
    """The review application on workspace `ws`; `hosts` are the Host headers accepted (None: any)."""
    app = Flask(__name__, static_folder="static", template_folder="templates")
    app.config.update(MAX_CONTENT_LENGTH=4 * MAX_TEXT, TEMPLATES_AUTO_RELOAD=False)
    app.jinja_env.globals.update(version=__version__, workspace=ws.root.name, token=token)
    app.jinja_env.filters.update(FILTERS)
    images = ImageCache(IMAGES_KEPT)

    @app.before_request
    def guard() -> Response | None:
        if hosts is not None and request.host not in hosts:
            abort(400, "unexpected Host header")
        given = request.args.get("token")
        if given is not None and secrets.compare_digest(given, token):
            rest = {k: v for k, v in request.args.items() if k != "token"}
            response = redirect(request.path + (f"?{urlencode(rest)}" if rest else ""))
            response.set_cookie(COOKIE, token, httponly=True, samesite="Strict")
            return response
        if not secrets.compare_digest(request.cookies.get(COOKIE, ""), token):
            abort(403, "open the address `bureau review` printed (it carries the access token)")
        if request.method != "GET" and not secrets.compare_digest(
            request.headers.get(TOKEN_HEADER, ""), token
        ):
            abort(403, "writes need the token header")
        return None

    @app.after_request
    def headers(response: Response) -> Response:
        response.headers["Content-Security-Policy"] = (
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'"
        )
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
        return response

    def catalog() -> Catalog:
        if "catalog" not in g:
            g.catalog = Catalog(ws.catalog_path)
        return g.catalog

    @app.teardown_appcontext
    def close(_exc: BaseException | None) -> None:
        opened = g.pop("catalog", None)
        if opened is not None:
            opened.close()

    @app.errorhandler(ConfigError)
    def bad_request(exc: ConfigError) -> tuple[Response, int]:
        return jsonify(error=str(exc)), 404 if isinstance(exc, NotFound) else 400

    @app.errorhandler(WorkspaceError)
    def busy(exc: WorkspaceError) -> tuple[Response, int]:
        return jsonify(error=f"busy, try again: {exc}"), 409

    @contextmanager
    def writing() -> Iterator[Catalog]:
        """The workspace lock for this one request (a run holding it answers 409)."""
        with ws.lock():
            yield catalog()

    def queue_filter() -> QueueFilter:
        args = request.args
        return QueueFilter(
            args.get("document", "").strip(),
            args.get("body", "").strip(),
            args.get("from", "").strip(),
            args.get("to", "").strip(),
        )

    def filter_args(flt: QueueFilter) -> dict[str, str]:
        pairs = {"document": flt.document, "body": flt.body, "from": flt.date_from, "to": flt.date_to}
        return {k: v for k, v in pairs.items() if v}

    @app.get("/")
    def queue() -> str:
        flt = queue_filter()
        offset = max(0, request.args.get("offset", 0, type=int))
        page = queue_page(catalog(), ws, flt, offset, QUEUE_PAGE_SIZE)
        args = filter_args(flt)
        rows = [
            (position, title, entry, entry_link(entry, position, args))
            for position, title, entry in page.entries
        ]
        return render_template(
            "review_queue.html", queue=page, rows=rows, flt=flt, args=args, size=QUEUE_PAGE_SIZE
        )

    def entry_link(entry: QueueEntry, position: int, args: dict[str, str]) -> str:
        """The page an entry is about; a possible duplicate opens at its first case, the other one ready to merge."""
        if not entry.page_id:
            return ""
        if entry.kind == "duplicates":
            first, other = entry.target.split(" ")
            return url_for("page", page_id=entry.page_id, at=position, merge=other, **args) + f"#case-{first}"
        return url_for("page", page_id=entry.page_id, at=position, **args)

    @app.get("/page/<page_id>")
    def page(page_id: str) -> str:
        flt = queue_filter()
        view = page_view(ws, catalog(), page_id)
        at = request.args.get("at", type=int)
        around = {}
        if at is not None:
            for step in (-1, 1):
                if at + step >= 0:
                    near = queue_page(catalog(), ws, flt, at + step, 1).entries
                    if near and near[0][2].page_id:
                        around[step] = (near[0][0], near[0][2].page_id)
        if 1 in around:
            _prefetch(around[1][1])
        sibling = {
            row["page_no"]: row["page_id"]
            for row in catalog().query(
                "SELECT page_no, page_id FROM pages WHERE doc_id = ? AND page_no IN (?, ?)",
                (view.doc_id, view.page_no - 1, view.page_no + 1),
            )
        }
        return render_template(
            "review_page.html",
            view=view,
            at=at,
            around=around,
            args=filter_args(flt),
            sibling=sibling,
            merge=request.args.get("merge", ""),
            vocabularies=VOCABULARIES,
            fields=EDITABLE_CASE_FIELDS,
            images=IMAGE_VIEWS,
        )

    def image_key(page_id: str, view: str, width: int | None) -> tuple[str, ...] | None:
        sha = catalog().scalar("SELECT content_sha256 FROM pages WHERE page_id = ?", (page_id,))
        return None if sha is None else (page_id, sha, view, str(width))

    def _prefetch(page_id: str) -> None:
        key = image_key(page_id, "prepared", SCREEN_WIDTH)
        if key is not None:
            images.prefetch(key, lambda: _made_apart(page_id, "prepared", SCREEN_WIDTH))

    def _made_apart(page_id: str, view: str, width: int | None) -> bytes:
        with Catalog(ws.catalog_path) as own:  # another thread: a connection of its own
            try:
                return page_image(ws, own, page_id, view, width)
            except ConfigError:  # a page without an image: the request for it will say so
                return b""

    @app.get("/page/<page_id>/image/<view>")
    def image(page_id: str, view: str) -> Response:
        width = SCREEN_WIDTH if request.args.get("size") == "screen" else None
        key = image_key(page_id, view, width)
        if key is None or view not in IMAGE_VIEWS:
            abort(404)
        data = images.get(key, lambda: page_image(ws, catalog(), page_id, view, width))
        if not data:
            abort(404)
        response = Response(data, mimetype="image/jpeg")
        response.headers["Cache-Control"] = "private, max-age=86400"
        return response

    def body() -> dict[str, Any]:
        data = request.get_json(silent=True)
        if not isinstance(data, dict):
            raise ConfigError("the request needs a JSON object")
        return data

    @app.post("/api/page/<page_id>/text")
    def save_text(page_id: str) -> Response:
        text = body().get("text")
        if not isinstance(text, str) or len(text) > MAX_TEXT:
            raise ConfigError("text must be a string of at most 1,000,000 characters")
        with writing() as cat:
            row = cat.query(
                "SELECT d.path, p.page_no, p.doc_id FROM pages p JOIN documents d USING (doc_id) WHERE p.page_id = ?",
                (page_id,),
            )
            if not row:
                raise NotFound(f"no page {page_id!r} in the catalog")
            target = find_page(ws, cat, row[0]["path"], row[0]["page_no"])
            path = save_text_correction(ws, cat, target, text)
            segment_stage(ws, cat, only_doc=row[0]["doc_id"])
            cases = len(page_view(ws, cat, page_id).cases)
        return jsonify(saved=str(path.relative_to(ws.root)), cases=cases)

    @app.post("/api/case/<case_id>")
    def save_case(case_id: str) -> Response:
        given = body().get("fields")
        if not isinstance(given, dict) or not set(given) <= set(EDITABLE_CASE_FIELDS):
            raise ConfigError(
                f"fields must be an object of editable fields: {', '.join(EDITABLE_CASE_FIELDS)}"
            )
        with writing() as cat:
            current = case_fields(ws, cat, case_id)
            changed = {}
            for name, value in given.items():
                text = ";".join(value) if isinstance(value, list) else str(value if value is not None else "")
                if isinstance(value, bool):
                    text = "true" if value else "false"
                wanted = parse_case_value(name, text)
                if not _same(wanted, current.get(name)):
                    changed[name] = wanted
            if changed:
                set_case_fields(ws.corrections_dir, case_id, changed)
        return jsonify(changed=sorted(changed))

    @app.post("/api/case/<case_id>/person")
    def person(case_id: str) -> Response:
        data = body()
        action, other = data.get("action"), str(data.get("other") or "").strip()
        if action not in ("merge", "split"):
            raise ConfigError("action must be merge or split")
        with writing() as cat:
            for wanted in [case_id, *([other] if action == "merge" else [])]:
                if not cat.scalar("SELECT count(*) FROM cases WHERE case_id = ?", (wanted,)):
                    raise NotFound(f"no case {wanted!r} in the catalog")
            path = add_person_override(
                ws.corrections_dir, action, case_id, other if action == "merge" else ""
            )
        return jsonify(saved=str(path.relative_to(ws.root)))

    @app.post("/api/accept")
    def accept() -> Response:
        label = str(body().get("file") or "")
        with writing() as cat:
            entry = next((e for e in stale_entries(ws, cat, QueueFilter()) if e.accept == label), None)
            if entry is None:
                raise NotFound(f"no stale correction {label!r} that can be accepted")
            if label.startswith("text/"):
                doc = cat.query("SELECT path, doc_id FROM documents WHERE path = ?", (entry.document,))[0]
                text = ws.text_correction_path(doc["path"], entry.page_no).read_text(encoding="utf-8")
                save_text_correction(ws, cat, find_page(ws, cat, doc["path"], entry.page_no), text)
                segment_stage(ws, cat, only_doc=doc["doc_id"])
            else:
                reanchor_case_corrections(cat, entry.target)
        return jsonify(accepted=label)

    return app


def _same(given: object, current: object) -> bool:
    """A value sent by a form equals the case's own: a one-line input has turned line breaks into spaces,
    and an empty input stands for no value."""
    if isinstance(given, str | None) and isinstance(current, str | None):
        return (given or "").split() == (current or "").split()
    return given == current


LOCAL_HOSTS = ("127.0.0.1", "localhost")


def serve(
    ws: Workspace, host: str, port: int, say: Callable[[str], None], opened: Callable[[str], object]
) -> None:
    """Serve the review application until Ctrl-C; the first thing said is the URL to open."""
    import socket

    from waitress import create_server

    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        listening = socket.create_server((host, port), family=family)
    except OSError as exc:
        raise ConfigError(f"cannot listen on {host} port {port}: {exc.strerror or exc}") from None
    port = listening.getsockname()[1]
    anywhere = host in ("0.0.0.0", "::")
    shown = "127.0.0.1" if anywhere else host
    hosts = None if anywhere else frozenset(f"{name}:{port}" for name in {host, *LOCAL_HOSTS})
    token = secrets.token_urlsafe(24)
    server = create_server(create_app(ws, token, hosts), sockets=[listening], threads=4, ident="bureau")
    url = f"http://{shown if ':' not in shown else f'[{shown}]'}:{port}/?token={token}"
    say(url)
    opened(url)
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()

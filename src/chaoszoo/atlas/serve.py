"""Serve a built atlas over HTTP on localhost (``chaoszoo atlas serve``)."""

from __future__ import annotations

import functools
import http.server
from pathlib import Path

from chaoszoo.errors import InvalidArgumentError


def make_server(site, port: int = 8000, host: str = "127.0.0.1") -> http.server.ThreadingHTTPServer:
    """An HTTP server for the folder ``site`` (call ``serve_forever()``; port 0 picks a free one)."""
    from chaoszoo.atlas.build import MARKER

    site = Path(site)
    if not (site / "index.html").exists() or not (site / MARKER).exists():
        raise InvalidArgumentError(f"{site} holds no built atlas; run `chaoszoo atlas build --out {site}` first.")

    class Handler(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):  # quiet
            pass

    handler = functools.partial(Handler, directory=str(site))
    return http.server.ThreadingHTTPServer((host, port), handler)


def serve(site, port: int = 8000, host: str = "127.0.0.1") -> None:
    """Serve ``site`` until interrupted (Ctrl-C)."""
    server = make_server(site, port, host)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()

"""Serve a built atlas over HTTP on localhost (``chaoszoo atlas serve``)."""

from __future__ import annotations

import functools
import http.server

from chaoszoo.errors import InvalidArgumentError


def make_server(site, port: int = 8000, host: str = "127.0.0.1") -> http.server.ThreadingHTTPServer:
    """An HTTP server for the folder ``site`` (call ``serve_forever()``; port 0 picks a free one)."""
    from chaoszoo.atlas.build import MARKER

    import numbers

    from chaoszoo.data.files import as_path

    site = as_path(site, "--out")
    if not (site / "index.html").exists() or not (site / MARKER).exists():
        raise InvalidArgumentError(f"{site} holds no built atlas; run `chaoszoo atlas build --out {site}` first.")
    if isinstance(port, bool) or not isinstance(port, numbers.Integral) or not 0 <= port <= 65535:
        raise InvalidArgumentError(f"--port must be an integer from 0 to 65535; got {port!r}.")
    if not isinstance(host, str) or not host.strip():
        raise InvalidArgumentError(f"--host must be a host name or address; got {host!r}.")

    class Handler(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):  # quiet
            pass

    handler = functools.partial(Handler, directory=str(site))
    try:
        return http.server.ThreadingHTTPServer((host, port), handler)
    except OSError as err:
        import errno

        why = {errno.EADDRINUSE: "the port is already in use", errno.EACCES: "permission denied (ports below 1024 "
               "need privileges)", errno.EADDRNOTAVAIL: "this machine has no such address"}.get(err.errno)
        raise InvalidArgumentError(f"Cannot serve on {host}:{port}: {why or err.strerror or err}. Choose another "
                                   "--port (0 picks a free one) or --host.") from None


def serve(site, port: int = 8000, host: str = "127.0.0.1") -> None:
    """Serve ``site`` until interrupted (Ctrl-C)."""
    server = make_server(site, port, host)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()

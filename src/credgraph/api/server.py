"""``serve()``: run the API with uvicorn.

The store and the search index are opened before the server starts, so a missing or
mismatched index is a ``CredgraphError`` the CLI prints as one line, not a traceback from
inside the server. The socket is bound here too, so the printed URL carries the real port
(also when port 0 asks the system for a free one).
"""

from __future__ import annotations

import ipaddress
import socket
import sys

from credgraph.api.app import create_app
from credgraph.config import Settings
from credgraph.errors import ConfigError
from credgraph.graph.base import open_store


def serve(settings: Settings, host: str = "127.0.0.1", port: int = 8000) -> None:
    """Serve the API on ``host``:``port`` until interrupted (Ctrl-C / SIGTERM)."""
    import uvicorn

    from credgraph.runtime import make_embedder, open_search

    sock = _bind(host, port)
    store = open_store(settings)
    embedder = make_embedder(settings)
    try:
        search = open_search(settings, store, embedder)
        app = create_app(settings, store, search)
        url = server_url(host, sock.getsockname()[1])
        print(f"credgraph API on {url}/v1  (docs: {url}/docs)", file=sys.stdout, flush=True)
        config = uvicorn.Config(app, log_level="info")
        uvicorn.Server(config).run(sockets=[sock])
    finally:
        sock.close()
        embedder.cache.close()
        store.close()


def server_url(host: str, port: int) -> str:
    shown = host or "127.0.0.1"
    try:
        if ipaddress.ip_address(shown).version == 6:
            shown = f"[{shown}]"
    except ValueError:
        pass  # a host name
    return f"http://{shown}:{port}"


def _bind(host: str, port: int) -> socket.socket:
    try:
        infos = socket.getaddrinfo(
            host or None, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )
        family, kind, proto, _, address = infos[0]
        sock = socket.socket(family, kind, proto)
    except OSError as exc:
        raise ConfigError(f"cannot listen on {host}:{port}: {exc}", hint="check --host") from exc
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
    except OSError as exc:
        sock.close()
        raise ConfigError(
            f"cannot listen on {host}:{port}: {exc.strerror or exc}",
            hint="is another server using the port? choose --port",
        ) from exc
    return sock

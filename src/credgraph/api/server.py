"""``serve()``: run the API with uvicorn.

The store and the search index are opened before the server starts, so a missing or
mismatched index is a ``CredgraphError`` the CLI prints as one line, not a traceback from
inside the server. The socket is bound here too, so the printed URL carries the real port
(also when port 0 asks the system for a free one).
"""

from __future__ import annotations

import ipaddress
import os
import socket
import sys

from pydantic import SecretStr

from credgraph.api.app import create_app
from credgraph.config import Settings
from credgraph.errors import ConfigError
from credgraph.graph.base import open_store


def serve(settings: Settings, host: str = "127.0.0.1", port: int = 8000, workers: int = 1) -> None:
    """Serve the API on ``host``:``port`` until interrupted (Ctrl-C / SIGTERM).

    ``workers`` > 1 runs that many server processes on the one socket (uvicorn's
    supervisor restarts one that dies); each opens the store and loads the search index
    itself, from the settings passed down as ``CREDGRAPH_*`` environment variables. On 2
    cores, 2 workers answer concurrent searches without queueing behind one interpreter
    lock (benchmarks/RESULTS.md).
    """
    import uvicorn

    from credgraph.runtime import make_embedder, open_search

    if workers < 1:
        raise ConfigError(f"--workers must be at least 1, not {workers}", hint="use --workers 1")
    sock = _bind(host, port)
    store = open_store(settings)
    embedder = make_embedder(settings)
    try:
        # opened here in every case, so a missing or stale index is one line, not N workers'
        # tracebacks
        search = open_search(settings, store, embedder)
        url = server_url(host, sock.getsockname()[1])
        if workers == 1:
            app = create_app(settings, store, search)
            print(f"credgraph API on {url}/v1  (docs: {url}/docs)", file=sys.stdout, flush=True)
            uvicorn.Server(uvicorn.Config(app, log_level="info")).run(sockets=[sock])
            return
        del search
        os.environ.update(settings_environment(settings))
        config = uvicorn.Config(
            "credgraph.api.app:create_app_from_environment",
            factory=True,
            workers=workers,
            log_level="info",
        )
        print(
            f"credgraph API on {url}/v1  (docs: {url}/docs), {workers} worker processes",
            file=sys.stdout,
            flush=True,
        )
        from uvicorn.supervisors import Multiprocess

        Multiprocess(config, sockets=[sock]).run()
    finally:
        sock.close()
        embedder.cache.close()
        store.close()


def settings_environment(settings: Settings) -> dict[str, str]:
    """The settings as ``CREDGRAPH_*`` variables, so that worker processes (which read the
    environment) get the values given on the command line too."""
    env: dict[str, str] = {}
    for name in Settings.model_fields:
        value = getattr(settings, name)
        if value is None:
            continue
        if isinstance(value, SecretStr):
            value = value.get_secret_value()
        elif isinstance(value, bool):
            value = "true" if value else "false"
        env[f"CREDGRAPH_{name.upper()}"] = str(value)
    return env


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

"""The HTTP API: ``create_app(settings, store, search)`` and ``serve(settings, host, port)``.

Routes live in ``routes_*.py``, response shapes in ``schemas.py``, the one error shape in
``errors.py``. docs/api.md is the user guide.
"""

from credgraph.api.app import create_app
from credgraph.api.deps import require_api_key
from credgraph.api.server import serve

__all__ = ["create_app", "require_api_key", "serve"]

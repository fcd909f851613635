"""Response compression: gzip for bodies of 1 KiB and more, at zlib's default level.

NiceGUI adds Starlette's GZipMiddleware with its defaults (bodies from 500 bytes, level 9) unless
`ui.run` gets a factory; app.py passes this one. Below 1 KiB the bytes saved do not pay for the
compression (an API answer of one record, an error envelope), and level 6 compresses JSON nearly
as well as 9 for a fraction of the CPU."""

from __future__ import annotations

from starlette.middleware.gzip import GZipMiddleware
from starlette.types import ASGIApp

#: Bodies shorter than this go out as they are.
GZIP_MINIMUM_BYTES = 1024
GZIP_LEVEL = 6


def gzip_middleware(app: ASGIApp) -> GZipMiddleware:
    return GZipMiddleware(app, minimum_size=GZIP_MINIMUM_BYTES, compresslevel=GZIP_LEVEL)

"""Data files of enrichments (MaxMind databases, referer and robot lists, rates files).

Snowplow configures each file as ``{"uri": <base>, "database": <file name>}`` and loads
``<base>/<file name>``. pyplow accepts a local folder (``/var/lib/geo`` or
``file:///var/lib/geo``) or an HTTP(S) base URI; remote files are downloaded once into the
asset cache folder (``PYPLOW_ASSET_DIR``, default ``~/.cache/pyplow/assets``) and reused.
Other schemes (``s3://``, ``gs://``) are refused with a clear error: download the file and
point ``uri`` at its folder.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import httpx

from pyplow.enrich.context import EnrichmentConfigError

__all__ = ["asset_dir", "fetch_asset", "resolve_asset"]


def asset_dir() -> Path:
    """Where downloaded files are kept."""
    configured = os.environ.get("PYPLOW_ASSET_DIR")
    return Path(configured) if configured else Path.home() / ".cache" / "pyplow" / "assets"


def resolve_asset(spec: Any, what: str, *, timeout: float = 60.0) -> Path:
    """The local path of the file described by ``spec`` (``{"uri", "database"}``)."""
    if not isinstance(spec, Mapping):
        raise EnrichmentConfigError(f"{what}: expected an object with 'uri' and 'database'")
    uri, database = spec.get("uri"), spec.get("database")
    if not isinstance(uri, str) or not isinstance(database, str) or not database:
        raise EnrichmentConfigError(
            f"{what}: 'uri' and 'database' must be strings, got {uri!r} and {database!r}"
        )
    return fetch_asset(uri, database, what=what, timeout=timeout)


def fetch_asset(uri: str, database: str, *, what: str, timeout: float = 60.0) -> Path:
    """``<uri>/<database>`` as a local file, downloading it when ``uri`` is HTTP(S)."""
    if "/" in database or database in (".", ".."):
        raise EnrichmentConfigError(f"{what}: database {database!r} must be a plain file name")
    parts = urlsplit(uri)
    scheme = parts.scheme.lower()
    if scheme in ("", "file"):
        folder = Path(unquote(parts.path) if scheme == "file" else uri)
        path = folder / database
        if not path.is_file():
            raise EnrichmentConfigError(f"{what}: file {path} does not exist")
        return path
    if scheme not in ("http", "https"):
        raise EnrichmentConfigError(
            f"{what}: cannot fetch {uri!r} (scheme {scheme}); download {database} and set "
            "'uri' to its local folder"
        )
    url = uri.rstrip("/") + "/" + database
    key = hashlib.sha256(url.encode()).hexdigest()[:16]
    target = asset_dir() / key / database
    if target.is_file():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".part")
    try:
        with httpx.stream("GET", url, timeout=timeout, follow_redirects=True) as response:
            response.raise_for_status()
            with open(partial, "wb") as handle:
                for chunk in response.iter_bytes():
                    handle.write(chunk)
    except httpx.HTTPError as exc:
        partial.unlink(missing_ok=True)
        raise EnrichmentConfigError(f"{what}: cannot download {url}: {exc}") from None
    partial.rename(target)
    return target

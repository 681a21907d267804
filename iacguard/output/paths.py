"""How reports name files: paths relative to the scan's working directory (`iacguard.core.paths`,
re-exported here), and file URIs."""
from __future__ import annotations

import os

from iacguard.core.paths import display_path, relative_path  # noqa: F401 - re-exported for the formats


def relative_uri(rel: str) -> str:
    """A relative POSIX path as a URI reference: percent-encoded, "/" kept."""
    from urllib.parse import quote  # here, as pathlib below: the text and JSON reports need neither

    return quote(rel, safe="/")


def file_uri(path: str) -> str:
    """The `file:` URI of an absolute path (percent-encoded)."""
    from pathlib import Path, PurePath
    from urllib.parse import quote

    if os.path.isabs(path):
        return Path(path).as_uri()
    return "file:///" + quote(PurePath(path).as_posix().lstrip("/"), safe="/")


def directory_uri(path: str) -> str:
    """The `file:` URI of a directory, ending in "/" as SARIF base URIs must."""
    uri = file_uri(path)
    return uri if uri.endswith("/") else uri + "/"

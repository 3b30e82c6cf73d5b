"""Python 2's urlparse module, which HIL's client imports, from Python 3's urllib.parse (a shim, not HIL code)."""
from urllib.parse import urljoin, urlparse, urlunparse, quote  # noqa: F401

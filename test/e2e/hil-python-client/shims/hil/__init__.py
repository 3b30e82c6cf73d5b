"""The `hil` package for the client test: HIL's own modules come from $HIL_SOURCE/hil (its client library),
except `hil.errors`, whose only use by the client is BadArgumentError and which would pull in Flask (see errors.py
beside this file). Python 3 shims for the Python 2 client: inspect.getargspec."""
import inspect
import os

__path__.append(os.path.join(os.environ['HIL_SOURCE'], 'hil'))  # noqa: F821 -- a package's own __path__

if not hasattr(inspect, 'getargspec'):
    inspect.getargspec = inspect.getfullargspec

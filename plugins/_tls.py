"""One TLS context per process for the plugins' HTTP clients.

Building a verifying context loads every CA certificate, which takes tens of
milliseconds: a client made per handler or per task must not pay that each time,
least of all while the pipeline is running.
"""

from __future__ import annotations

import functools
import ssl

import httpx


@functools.cache
def _context(verify: bool) -> ssl.SSLContext:
    return httpx.create_ssl_context(verify=verify)


def tls_context(verify: bool = True) -> ssl.SSLContext:
    """The shared context that verifies servers' certificates, or the one that
    does not (``skipSSLVerification``)."""
    return _context(verify)

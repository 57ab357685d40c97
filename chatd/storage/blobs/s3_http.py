"""The HTTP pool minio talks through, built here rather than left to minio.

minio's own pool waits 5 minutes to connect and retries every failure five
times with back-off. A failed TLS handshake (an untrusted or expired
certificate) does not heal between retries, yet it held each upload, and
/readyz past its 3 s promise, for about 6.5 s: here it fails at once
(`other=0`). Unreachable hosts and 5xx answers are still retried, and a
host that never answers a connect gives up after CONNECT_S, not minutes.
"""

from __future__ import annotations

import os

import certifi
import urllib3
from urllib3.util import Retry, Timeout

CONNECT_S = 10.0
READ_S = 300.0  # a 10 MiB part on a slow uplink


def pool(*, verify: bool = True) -> urllib3.PoolManager:
    return urllib3.PoolManager(
        timeout=Timeout(connect=CONNECT_S, read=READ_S),
        maxsize=10,
        cert_reqs="CERT_REQUIRED" if verify else "CERT_NONE",
        ca_certs=os.environ.get("SSL_CERT_FILE") or certifi.where(),
        retries=Retry(total=5, other=0, backoff_factor=0.2, status_forcelist=[500, 502, 503, 504]),
    )

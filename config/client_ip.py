"""The address of the client behind a request, the one rule every per-client check uses.

Behind a reverse proxy, REMOTE_ADDR is the proxy's address and the client's is in a header the
proxy writes (``X-Forwarded-For``). That header is believed only when the request came from a
trusted proxy (``VETTED_TRUSTED_PROXY_NETWORKS``), and only the entry the outermost trusted proxy
appended is taken: counting ``VETTED_TRUSTED_PROXY_COUNT`` entries from the right, so whatever a
client writes into the header itself stays further left and is never read.
"""

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def _networks(specs: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(spec, strict=False) for spec in specs)


def address_in(address: str, specs) -> bool:
    """Whether ``address`` lies in one of the networks ``specs`` names (``"127.0.0.0/8"``, ``"::1"``…)."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in _networks(tuple(specs)))


def _forwarded_client(value: str, count: int) -> str | None:
    """The entry ``count`` places from the right of a comma-separated list, if it is an address."""
    entries = [entry.strip() for entry in value.split(",")]
    if count < 1 or len(entries) < count:
        return None
    try:
        return str(ipaddress.ip_address(entries[-count]))
    except ValueError:
        return None


def client_ip(request: HttpRequest) -> str:
    """Return the client's address: from the trusted proxy's header when it sent the request, else REMOTE_ADDR."""
    remote_addr = request.META.get("REMOTE_ADDR", "") or ""
    header = settings.VETTED_TRUSTED_PROXY_HEADER
    if not header or not address_in(remote_addr, settings.VETTED_TRUSTED_PROXY_NETWORKS):
        return remote_addr
    forwarded = _forwarded_client(request.headers.get(header, ""), settings.VETTED_TRUSTED_PROXY_COUNT)
    return forwarded or remote_addr

"""The client's address: REMOTE_ADDR, or the trusted proxy's header when the request came through it."""

import pytest
from django.test import RequestFactory

from config.client_ip import client_ip

PROXY = "10.0.0.5"
BEHIND_PROXY = {
    "VETTED_TRUSTED_PROXY_HEADER": "X-Forwarded-For",
    "VETTED_TRUSTED_PROXY_COUNT": 1,
    "VETTED_TRUSTED_PROXY_NETWORKS": ["10.0.0.0/8"],
}


def request_from(remote_addr: str, forwarded_for: str | None = None):
    headers = {"HTTP_X_FORWARDED_FOR": forwarded_for} if forwarded_for is not None else {}
    return RequestFactory().get("/", REMOTE_ADDR=remote_addr, **headers)


@pytest.fixture
def behind_proxy(settings):
    for name, value in BEHIND_PROXY.items():
        setattr(settings, name, value)
    return settings


def test_without_a_configured_proxy_the_header_is_ignored(settings):
    """Out of the box, whatever the client writes in X-Forwarded-For, the address is REMOTE_ADDR."""
    settings.VETTED_TRUSTED_PROXY_HEADER = ""
    assert client_ip(request_from("203.0.113.7", "198.51.100.1")) == "203.0.113.7"


def test_the_proxy_appended_entry_is_the_client(behind_proxy):
    """Behind one proxy that appends, the last entry is the address the proxy saw."""
    assert client_ip(request_from(PROXY, "203.0.113.7")) == "203.0.113.7"


def test_entries_the_client_wrote_itself_are_ignored(behind_proxy):
    """A client that sends its own X-Forwarded-For only adds entries to the left of the proxy's."""
    assert client_ip(request_from(PROXY, "198.51.100.1, 198.51.100.2, 203.0.113.7")) == "203.0.113.7"


def test_two_proxies_take_the_second_entry_from_the_right(behind_proxy):
    """With a CDN in front of the proxy, the client is the entry the outer proxy appended."""
    behind_proxy.VETTED_TRUSTED_PROXY_COUNT = 2
    assert client_ip(request_from(PROXY, "198.51.100.1, 203.0.113.7, 192.0.2.10")) == "203.0.113.7"


def test_a_request_not_from_a_trusted_proxy_keeps_its_own_address(behind_proxy):
    """A client reaching the app directly cannot pick its address by writing the header."""
    assert client_ip(request_from("203.0.113.7", "198.51.100.1")) == "203.0.113.7"


@pytest.mark.parametrize("forwarded_for", [None, "", " , ", "not-an-address", "203.0.113.7:5678"])
def test_a_missing_or_malformed_header_falls_back_to_the_proxy_address(behind_proxy, forwarded_for):
    """Without a usable entry from the proxy, the address is the one that connected."""
    assert client_ip(request_from(PROXY, forwarded_for)) == PROXY


def test_fewer_entries_than_proxies_falls_back_to_the_connecting_address(behind_proxy):
    """A chain shorter than the configured count did not come through every proxy: nothing in it is trusted."""
    behind_proxy.VETTED_TRUSTED_PROXY_COUNT = 2
    assert client_ip(request_from(PROXY, "203.0.113.7")) == PROXY


def test_ipv6_addresses_are_read_and_normalised(behind_proxy):
    """IPv6 entries are accepted and written in their short form, so one client has one key."""
    behind_proxy.VETTED_TRUSTED_PROXY_NETWORKS = ["10.0.0.0/8", "fd00::/8"]
    assert client_ip(request_from("fd00::1", "2001:0db8:0000:0000:0000:0000:0000:0001")) == "2001:db8::1"


def test_a_request_with_no_address_at_all_gives_an_empty_string():
    """A request built in code (Client.force_login's) has no REMOTE_ADDR; that is not an error."""
    request = RequestFactory().get("/")
    del request.META["REMOTE_ADDR"]
    assert client_ip(request) == ""

"""The connection guard: which addresses customer config may reach, and how it is reached.

Refusals are judged without any network; the end-to-end tests talk to real aiohttp servers
on loopback only. Where a name must resolve to a chosen address, ``FakeDNS`` stands in for
the resolver (``socket.getaddrinfo``) for the names it was given.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import ssl
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
import trustme
from aiohttp import web

from connectors.errors import BlockedByPolicyError, ConnectionFailedError, InvalidConfigError
from connectors.guard import NetworkPolicy, guarded_client, guarded_transport
from connectors.results import FailureClass

DEFAULT = NetworkPolicy()
LOOPBACK_ALLOWED = NetworkPolicy.from_string("127.0.0.0/8")
# Some machines also map localhost to ::1; a mixed answer with ::1 refused would be refused.
LOCALHOST_ALLOWED = NetworkPolicy.from_string("127.0.0.0/8, ::1/128")

REFUSED_ADDRESSES = [
    pytest.param("127.0.0.1", "loopback", id="ipv4-loopback"),
    pytest.param("10.1.2.3", "private", id="rfc1918-10"),
    pytest.param("172.16.0.1", "private", id="rfc1918-172.16"),
    pytest.param("192.168.1.1", "private", id="rfc1918-192.168"),
    pytest.param("169.254.169.254", "cloud metadata", id="metadata-aws-gcp-azure"),
    pytest.param("100.100.100.200", "cloud metadata", id="metadata-alibaba"),
    pytest.param("192.0.0.192", "cloud metadata", id="metadata-oracle"),
    pytest.param("169.254.1.1", "link-local", id="ipv4-link-local"),
    pytest.param("100.64.0.1", "carrier-grade NAT", id="cgnat"),
    pytest.param("0.0.0.0", "unspecified", id="ipv4-unspecified"),  # noqa: S104 - refused here
    pytest.param("224.0.0.1", "multicast", id="ipv4-multicast"),
    pytest.param("240.0.0.1", "reserved", id="ipv4-reserved"),
    pytest.param("255.255.255.255", "reserved", id="ipv4-broadcast"),
    pytest.param("198.18.0.1", "benchmarking", id="ipv4-benchmarking"),
    pytest.param("192.0.2.1", "documentation", id="ipv4-documentation"),
    pytest.param("::1", "loopback", id="ipv6-loopback"),
    pytest.param("::", "unspecified", id="ipv6-unspecified"),
    pytest.param("fe80::1", "link-local", id="ipv6-link-local"),
    pytest.param("fc00::1", "unique-local", id="ipv6-unique-local"),
    pytest.param("fd00:ec2::254", "cloud metadata", id="metadata-aws-ipv6"),
    pytest.param("ff02::1", "multicast", id="ipv6-multicast"),
    pytest.param("2001:db8::1", "documentation", id="ipv6-documentation"),
    pytest.param("1::", "reserved", id="ipv6-outside-global-unicast"),
    pytest.param("::ffff:127.0.0.1", "loopback", id="ipv4-mapped-loopback"),
    pytest.param("::ffff:169.254.169.254", "cloud metadata", id="ipv4-mapped-metadata"),
    pytest.param("::ffff:0:7f00:1", "loopback", id="ipv4-translated-loopback"),
    pytest.param("::127.0.0.1", "loopback", id="ipv4-compatible-loopback"),
    pytest.param("64:ff9b::a9fe:a9fe", "cloud metadata", id="nat64-metadata"),
    pytest.param("64:ff9b:1::a00:1", "private", id="nat64-local-use-private"),
    pytest.param("2002:7f00:0001::", "loopback", id="6to4-loopback"),
    # Teredo stores the client address inverted: 80ff:fffe is 127.0.0.1.
    pytest.param("2001:0:808:808:0:ffff:80ff:fffe", "loopback", id="teredo-client-loopback"),
]

ODD_SPELLINGS = [
    pytest.param("2130706433", id="decimal-integer"),
    pytest.param("127.1", id="short-form"),
    pytest.param("0x7f.1", id="hex-short-form"),
    pytest.param("0x7f000001", id="hex-integer"),
    pytest.param("0177.0.0.1", id="octal"),
    pytest.param("127.000.000.001", id="zero-padded"),
]

REFUSED_HOSTS = [
    *[pytest.param(p.values[0], id=p.id) for p in REFUSED_ADDRESSES],
    *ODD_SPELLINGS,
    pytest.param("[::1]", id="bracketed-ipv6-loopback"),
    pytest.param("localhost", id="name-resolving-to-loopback"),
]

PUBLIC_ADDRESSES = [
    pytest.param("8.8.8.8", id="ipv4"),
    pytest.param("2606:4700::1111", id="ipv6"),
    pytest.param("::ffff:8.8.8.8", id="ipv4-mapped-public"),
    pytest.param("64:ff9b::808:808", id="nat64-public"),
    pytest.param("2002:808:808::1", id="6to4-public"),
    pytest.param("2001:0:808:808:0:ffff:f7f7:fbfb", id="teredo-public"),
]


def _ip(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
    return ipaddress.ip_address(text)


def _chain(exc: BaseException) -> Iterator[BaseException]:
    """``exc`` and what led to it. httpcore's pool re-raises ``from None``, so the chain
    continues through ``__context__`` where ``__cause__`` was cleared."""
    current: BaseException | None = exc
    while current is not None:
        yield current
        current = current.__cause__ or current.__context__


# -- DNS stand-in --------------------------------------------------------------------------

_REAL_GETADDRINFO = socket.getaddrinfo


@dataclass
class FakeDNS:
    """Answers for the names in ``answers`` (no addresses: NXDOMAIN); the real resolver else."""

    answers: dict[str, list[str]] = field(default_factory=dict)
    delay: float = 0.0
    lookups: list[str] = field(default_factory=list)

    def __call__(self, host: Any, port: Any, *args: Any, **kwargs: Any) -> list[Any]:
        if host not in self.answers:
            return _REAL_GETADDRINFO(host, port, *args, **kwargs)
        self.lookups.append(host)
        time.sleep(self.delay)  # runs in the resolver's worker thread, as real lookups do
        if not self.answers[host]:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return [
            (
                socket.AF_INET6 if ":" in address else socket.AF_INET,
                socket.SOCK_STREAM,
                socket.IPPROTO_TCP,
                "",
                (address, port, 0, 0) if ":" in address else (address, port),
            )
            for address in self.answers[host]
        ]


@pytest.fixture
def fake_dns(monkeypatch: pytest.MonkeyPatch) -> FakeDNS:
    dns = FakeDNS()
    monkeypatch.setattr(socket, "getaddrinfo", dns)
    return dns


# -- loopback servers ----------------------------------------------------------------------


@dataclass
class Server:
    """A real aiohttp server on 127.0.0.1 and what it received."""

    port: int
    paths: list[str] = field(default_factory=list)
    host_headers: list[str] = field(default_factory=list)
    server_names: list[str | None] = field(default_factory=list)


@asynccontextmanager
async def serve(tls: ssl.SSLContext | None = None) -> AsyncIterator[Server]:
    server = Server(port=0)

    async def record(request: web.Request) -> web.Response:
        server.paths.append(request.path)
        server.host_headers.append(request.headers.get("Host", ""))
        if request.path == "/redirect":
            return web.Response(status=302, headers={"Location": "/target"})
        return web.Response(text="hello")

    if tls is not None:

        def remember_sni(_: ssl.SSLObject, name: str | None, __: ssl.SSLContext) -> None:
            server.server_names.append(name)

        tls.sni_callback = remember_sni
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", record)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0, ssl_context=tls).start()
    server.port = int(runner.addresses[0][1])
    try:
        yield server
    finally:
        await runner.cleanup()


@pytest.fixture
async def http_server() -> AsyncIterator[Server]:
    async with serve() as server:
        yield server


@dataclass(frozen=True)
class TLS:
    server: ssl.SSLContext
    client: ssl.SSLContext


@pytest.fixture
def tls() -> TLS:
    """A throw-away CA and a certificate for the name ``localhost`` only (no IP in it)."""
    ca = trustme.CA()
    server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("localhost").configure_cert(server)
    client = ssl.create_default_context()
    ca.configure_trust(client)
    return TLS(server=server, client=client)


@pytest.fixture
async def https_server(tls: TLS) -> AsyncIterator[Server]:
    async with serve(tls.server) as server:
        yield server


# -- which addresses are refused -----------------------------------------------------------


@pytest.mark.parametrize(("address", "category"), REFUSED_ADDRESSES)
def test_check_address_refuses_and_names_the_category(address: str, category: str) -> None:
    with pytest.raises(BlockedByPolicyError) as excinfo:
        DEFAULT.check_address(_ip(address), host=address)

    assert excinfo.value.failure is FailureClass.BLOCKED_BY_POLICY
    assert category in excinfo.value.message


def test_refusal_names_the_address_and_the_setting_that_allows_it() -> None:
    with pytest.raises(BlockedByPolicyError) as excinfo:
        DEFAULT.check_address(_ip("127.0.0.1"), host="127.0.0.1")

    assert excinfo.value.message == (
        "Connections to 127.0.0.1 (loopback) are not allowed. An operator can allow this"
        " network with INGESTION_AGENT_ALLOWED_NETWORKS."
    )


def test_refusal_of_a_name_names_the_host_and_its_address() -> None:
    with pytest.raises(BlockedByPolicyError, match=r"^Connections to localhost at 127\.0\.0\.1 "):
        DEFAULT.check_address(_ip("127.0.0.1"), host="localhost")


def test_refusal_of_a_wrapped_address_names_the_embedded_address() -> None:
    with pytest.raises(BlockedByPolicyError, match=r"\(IPv4-mapped 169\.254\.169\.254, cloud"):
        DEFAULT.check_address(_ip("::ffff:169.254.169.254"), host="::ffff:169.254.169.254")


@pytest.mark.parametrize("host", REFUSED_HOSTS)
async def test_resolve_refuses_host(host: str) -> None:
    with pytest.raises(BlockedByPolicyError):
        await DEFAULT.resolve(host, 443)


@pytest.mark.parametrize("host", REFUSED_HOSTS)
def test_resolve_sync_refuses_host(host: str) -> None:
    with pytest.raises(BlockedByPolicyError):
        DEFAULT.resolve_sync(host, 443)


@pytest.mark.parametrize("address", PUBLIC_ADDRESSES)
async def test_public_address_passes(address: str) -> None:
    # Only judged: a literal address is checked without any lookup or connection.
    assert await DEFAULT.resolve(address, 443) == [_ip(address)]


# -- literal addresses and odd spellings ---------------------------------------------------


@pytest.mark.parametrize("host", ODD_SPELLINGS)
def test_odd_ipv4_spelling_is_refused_naming_the_address_it_means(host: str) -> None:
    with pytest.raises(BlockedByPolicyError, match=r"unusual spelling of the IPv4 address 127\.0"):
        DEFAULT.literal_address(host)


@pytest.mark.parametrize("host", ODD_SPELLINGS)
def test_odd_ipv4_spelling_is_refused_even_inside_an_allowed_network(host: str) -> None:
    everything = NetworkPolicy.from_string("0.0.0.0/0")

    with pytest.raises(BlockedByPolicyError):
        everything.literal_address(host)


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        pytest.param("203.0.113.7", "203.0.113.7", id="ipv4"),
        pytest.param("2606:4700::1111", "2606:4700::1111", id="ipv6"),
        pytest.param("[::1]", "::1", id="bracketed-ipv6"),
    ],
)
def test_literal_address_reads_canonical_literals(host: str, expected: str) -> None:
    assert DEFAULT.literal_address(host) == _ip(expected)


@pytest.mark.parametrize("host", ["example.com", "localhost", "10.0.0.1.example.com"])
def test_literal_address_returns_none_for_a_name(host: str) -> None:
    assert DEFAULT.literal_address(host) is None


@pytest.mark.parametrize("host", ["[127.0.0.1]", "[not-an-address]"])
def test_literal_address_rejects_brackets_around_anything_but_ipv6(host: str) -> None:
    with pytest.raises(InvalidConfigError):
        DEFAULT.literal_address(host)


# -- the operator's allow-list -------------------------------------------------------------


def test_default_policy_allows_no_network() -> None:
    assert DEFAULT.allowed_networks == ()


async def test_allowed_network_lets_its_addresses_through() -> None:
    assert await LOOPBACK_ALLOWED.resolve("127.0.0.1", 80) == [_ip("127.0.0.1")]


async def test_allowed_network_keeps_other_addresses_refused() -> None:
    with pytest.raises(BlockedByPolicyError, match=r"10\.0\.0\.1 \(private\)"):
        await LOOPBACK_ALLOWED.resolve("10.0.0.1", 80)


async def test_allowed_network_also_admits_wrapped_forms_of_its_addresses() -> None:
    assert await LOOPBACK_ALLOWED.resolve("::ffff:127.0.0.1", 80) == [_ip("::ffff:127.0.0.1")]


@pytest.mark.parametrize(
    ("address", "allowed"),
    [
        pytest.param("127.0.0.1", True, id="inside"),
        pytest.param("127.255.255.254", True, id="inside-edge"),
        pytest.param("10.0.0.1", False, id="outside"),
        pytest.param("::1", False, id="other-family"),
    ],
)
def test_is_allowed_compares_with_the_allowed_networks(address: str, allowed: bool) -> None:
    assert LOOPBACK_ALLOWED.is_allowed(_ip(address)) is allowed


def test_from_string_reads_comma_separated_networks() -> None:
    policy = NetworkPolicy.from_string("10.0.0.0/8, 127.0.0.0/8")

    assert policy.allowed_networks == (
        ipaddress.ip_network("10.0.0.0/8"),
        ipaddress.ip_network("127.0.0.0/8"),
    )


def test_from_string_reads_ipv6_networks_and_bare_addresses() -> None:
    policy = NetworkPolicy.from_string("fd00::/8,::1,192.0.2.7")

    assert policy.allowed_networks == (
        ipaddress.ip_network("fd00::/8"),
        ipaddress.ip_network("::1/128"),
        ipaddress.ip_network("192.0.2.7/32"),
    )


@pytest.mark.parametrize("value", [None, "", "   ", " , "], ids=repr)
def test_from_string_with_nothing_opens_no_hole(value: str | None) -> None:
    assert NetworkPolicy.from_string(value) == NetworkPolicy()


@pytest.mark.parametrize(
    ("value", "culprit"),
    [
        pytest.param("10.0.0.0/33", "10.0.0.0/33", id="prefix-too-long"),
        pytest.param("not-a-network", "not-a-network", id="not-a-network"),
        pytest.param("10.0.0.1/8", "10.0.0.1/8", id="host-bits-set"),
        pytest.param("10.0.0.0/8, 300.1.1.1", "300.1.1.1", id="second-entry"),
    ],
)
def test_from_string_rejects_an_entry_naming_it(value: str, culprit: str) -> None:
    with pytest.raises(ValueError, match=rf"INGESTION_AGENT_ALLOWED_NETWORKS: '{culprit}'"):
        NetworkPolicy.from_string(value)


# -- names and their answers ---------------------------------------------------------------


async def test_resolve_returns_every_address_of_a_public_name(fake_dns: FakeDNS) -> None:
    fake_dns.answers["public.test"] = ["8.8.8.8", "2606:4700::1111"]

    assert await DEFAULT.resolve("public.test", 443) == [_ip("8.8.8.8"), _ip("2606:4700::1111")]


async def test_resolve_refuses_a_name_whose_answer_mixes_in_a_refused_address(
    fake_dns: FakeDNS,
) -> None:
    fake_dns.answers["rebind.test"] = ["8.8.8.8", "127.0.0.1"]

    with pytest.raises(BlockedByPolicyError, match=r"rebind\.test at 127\.0\.0\.1 \(loopback\)"):
        await DEFAULT.resolve("rebind.test", 443)


def test_resolve_sync_refuses_a_name_whose_answer_mixes_in_a_refused_address(
    fake_dns: FakeDNS,
) -> None:
    fake_dns.answers["rebind.test"] = ["8.8.8.8", "169.254.169.254"]

    with pytest.raises(BlockedByPolicyError, match=r"169\.254\.169\.254 \(cloud metadata\)"):
        DEFAULT.resolve_sync("rebind.test", 443)


async def test_unresolvable_name_is_unreachable(fake_dns: FakeDNS) -> None:
    fake_dns.answers["nowhere.test"] = []

    with pytest.raises(ConnectionFailedError) as excinfo:
        await DEFAULT.resolve("nowhere.test", 443)

    assert excinfo.value.failure is FailureClass.UNREACHABLE


def test_unresolvable_name_is_unreachable_when_resolved_blocking(fake_dns: FakeDNS) -> None:
    fake_dns.answers["nowhere.test"] = []

    with pytest.raises(ConnectionFailedError) as excinfo:
        DEFAULT.resolve_sync("nowhere.test", 443)

    assert excinfo.value.failure is FailureClass.UNREACHABLE


async def test_resolve_refuses_an_empty_host() -> None:
    with pytest.raises(InvalidConfigError):
        await DEFAULT.resolve("", 443)


# -- URLs ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        pytest.param("ftp://example.com/file.csv", id="ftp"),
        pytest.param("file:///etc/passwd", id="file"),
        pytest.param("gopher://example.com:70/_", id="gopher"),
        pytest.param("javascript:alert(1)", id="javascript"),
        pytest.param("example.com/data.csv", id="no-scheme"),
    ],
)
def test_check_url_refuses_schemes_other_than_http_and_https(url: str) -> None:
    with pytest.raises(InvalidConfigError) as excinfo:
        DEFAULT.check_url(url)

    assert excinfo.value.field == "url"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        pytest.param("http://example.com/x", ("http", "example.com", 80), id="http-default"),
        pytest.param("https://example.com", ("https", "example.com", 443), id="https-default"),
        pytest.param("https://example.com:8443/p", ("https", "example.com", 8443), id="port"),
        pytest.param("HTTP://Example.COM/", ("http", "example.com", 80), id="case"),
        pytest.param(
            "http://[2606:4700::1111]:8080/", ("http", "2606:4700::1111", 8080), id="ipv6"
        ),
        pytest.param("https://bücher.de/", ("https", "xn--bcher-kva.de", 443), id="idna"),
    ],
)
def test_check_url_returns_scheme_host_and_port(url: str, expected: tuple[str, str, int]) -> None:
    assert DEFAULT.check_url(url) == expected


def test_check_url_leaves_names_to_be_resolved_when_connecting(fake_dns: FakeDNS) -> None:
    fake_dns.answers["internal.test"] = ["10.0.0.1"]

    assert DEFAULT.check_url("https://internal.test/") == ("https", "internal.test", 443)
    assert fake_dns.lookups == []


def test_check_url_refuses_credentials_without_echoing_them() -> None:
    with pytest.raises(InvalidConfigError) as excinfo:
        DEFAULT.check_url("https://user:s3cr3t-pw@example.com/")

    assert excinfo.value.field == "url"
    assert "s3cr3t-pw" not in excinfo.value.message


@pytest.mark.parametrize(
    "url",
    [
        pytest.param("http://127.0.0.1:8080/", id="loopback"),
        pytest.param("http://[::1]/", id="ipv6-loopback"),
        pytest.param("http://169.254.169.254/latest/meta-data/", id="metadata"),
        pytest.param("http://[::ffff:10.0.0.1]/", id="ipv4-mapped-private"),
    ],
)
def test_check_url_refuses_a_refused_literal_address(url: str) -> None:
    with pytest.raises(BlockedByPolicyError):
        DEFAULT.check_url(url)


@pytest.mark.parametrize(
    "url",
    [
        pytest.param("http://2130706433/", id="decimal-integer"),
        pytest.param("http://127.1/", id="short-form"),
        pytest.param("http://0x7f.1/", id="hex-short-form"),
        pytest.param("http://0177.0.0.1/", id="octal"),
        pytest.param("http://127.000.000.001/", id="zero-padded"),
    ],
)
def test_check_url_refuses_an_odd_ipv4_spelling(url: str) -> None:
    with pytest.raises(BlockedByPolicyError, match="unusual spelling"):
        DEFAULT.check_url(url)


@pytest.mark.parametrize(
    "url",
    [
        pytest.param("http:///path", id="no-host"),
        pytest.param("http://example.com:0/", id="port-zero"),
        pytest.param("http://example.com:99999/", id="port-too-large"),
        pytest.param("http://[not-ipv6]/", id="malformed"),
    ],
)
def test_check_url_refuses_a_malformed_url(url: str) -> None:
    with pytest.raises(InvalidConfigError) as excinfo:
        DEFAULT.check_url(url)

    assert excinfo.value.field == "url"


def test_check_url_accepts_a_literal_address_inside_an_allowed_network() -> None:
    assert LOOPBACK_ALLOWED.check_url("http://127.0.0.1:8080/") == ("http", "127.0.0.1", 8080)


# -- the guarded httpx client, end to end on loopback --------------------------------------


async def test_guarded_client_refuses_a_loopback_server_before_any_request(
    http_server: Server,
) -> None:
    async with guarded_client(DEFAULT) as client:
        with pytest.raises(BlockedByPolicyError) as excinfo:
            await client.get(f"http://127.0.0.1:{http_server.port}/")

    assert "127.0.0.1 (loopback)" in excinfo.value.message
    assert http_server.paths == []


async def test_guarded_client_refuses_a_name_resolving_to_loopback(http_server: Server) -> None:
    async with guarded_client(DEFAULT) as client:
        with pytest.raises(BlockedByPolicyError, match=r"localhost at 127\.0\.0\.1"):
            await client.get(f"http://localhost:{http_server.port}/")

    assert http_server.paths == []


async def test_guarded_client_reaches_a_server_in_an_allowed_network(http_server: Server) -> None:
    async with guarded_client(LOOPBACK_ALLOWED) as client:
        response = await client.get(f"http://127.0.0.1:{http_server.port}/data")

    assert (response.status_code, response.text) == (200, "hello")
    assert http_server.paths == ["/data"]


async def test_guarded_client_connects_to_the_checked_address_keeping_the_host_header(
    http_server: Server, fake_dns: FakeDNS
) -> None:
    fake_dns.answers["app.test"] = ["127.0.0.1"]

    async with guarded_client(LOOPBACK_ALLOWED) as client:
        response = await client.get(f"http://app.test:{http_server.port}/")

    assert response.status_code == 200
    assert http_server.host_headers == [f"app.test:{http_server.port}"]
    # One lookup, by the guard: the socket went to the address it checked, not to the name.
    assert fake_dns.lookups == ["app.test"]


async def test_guarded_client_tries_the_next_address_when_one_refuses_connections(
    http_server: Server, fake_dns: FakeDNS
) -> None:
    # The server listens on 127.0.0.1 only, so 127.0.0.2 refuses the connection.
    fake_dns.answers["two.test"] = ["127.0.0.2", "127.0.0.1"]

    async with guarded_client(LOOPBACK_ALLOWED) as client:
        with pytest.raises(httpx.ConnectError):  # precondition: 127.0.0.2 alone fails
            await client.get(f"http://127.0.0.2:{http_server.port}/")
        response = await client.get(f"http://two.test:{http_server.port}/")

    assert response.status_code == 200


async def test_guarded_client_verifies_tls_against_the_name_while_pinned_to_the_address(
    https_server: Server, tls: TLS
) -> None:
    async with guarded_client(LOCALHOST_ALLOWED, verify=tls.client) as client:
        response = await client.get(f"https://localhost:{https_server.port}/")

    assert response.status_code == 200
    assert https_server.server_names == ["localhost"]


async def test_guarded_client_rejects_a_certificate_for_another_name(
    https_server: Server, tls: TLS, fake_dns: FakeDNS
) -> None:
    # Same address as the server whose certificate says "localhost", but another name.
    fake_dns.answers["other.test"] = ["127.0.0.1"]

    async with guarded_client(LOOPBACK_ALLOWED, verify=tls.client) as client:
        with pytest.raises(httpx.ConnectError, match="certificate verify failed"):
            await client.get(f"https://other.test:{https_server.port}/")

    assert https_server.paths == []


async def test_guarded_client_does_not_follow_redirects(http_server: Server) -> None:
    async with guarded_client(LOOPBACK_ALLOWED) as client:
        response = await client.get(f"http://127.0.0.1:{http_server.port}/redirect")

    assert response.status_code == 302
    assert http_server.paths == ["/redirect"]


async def test_guarded_client_ignores_a_proxy_from_the_environment(
    http_server: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with serve() as proxy:
        for name in ("NO_PROXY", "no_proxy"):
            monkeypatch.delenv(name, raising=False)
        monkeypatch.setenv("ALL_PROXY", f"http://127.0.0.1:{proxy.port}")
        url = f"http://127.0.0.1:{http_server.port}/direct"
        async with httpx.AsyncClient() as plain:
            await plain.get(url)
        assert proxy.paths, "precondition: a plain httpx client takes the proxy"
        proxy.paths.clear()

        async with guarded_client(LOOPBACK_ALLOWED) as client:
            response = await client.get(url)

    assert response.status_code == 200
    assert proxy.paths == []


async def test_guarded_client_reports_an_unresolvable_name_as_httpx_connect_error(
    fake_dns: FakeDNS,
) -> None:
    fake_dns.answers["nowhere.test"] = []

    async with guarded_client(DEFAULT) as client:
        with pytest.raises(httpx.ConnectError) as excinfo:
            await client.get("http://nowhere.test/")

    assert any(isinstance(cause, ConnectionFailedError) for cause in _chain(excinfo.value))


async def test_guarded_client_counts_a_slow_lookup_against_the_connect_timeout(
    fake_dns: FakeDNS,
) -> None:
    fake_dns.answers["slow.test"] = ["8.8.8.8"]
    fake_dns.delay = 0.5

    async with guarded_client(DEFAULT, timeout=0.1) as client:
        with pytest.raises(httpx.ConnectTimeout):
            await client.get("http://slow.test/")

    await asyncio.sleep(fake_dns.delay)  # let the resolver thread finish inside this test


async def test_guarded_client_never_follows_redirects_or_reads_the_environment() -> None:
    async with guarded_client(DEFAULT) as client:
        assert (client.follow_redirects, client.trust_env) == (False, False)


@pytest.mark.parametrize(
    "option", ["transport", "mounts", "proxy", "trust_env", "follow_redirects"]
)
def test_guarded_client_refuses_options_that_would_bypass_the_guard(option: str) -> None:
    options: dict[str, Any] = {option: None}

    with pytest.raises(TypeError, match=option):
        guarded_client(DEFAULT, **options)


async def test_guarded_transport_refuses_a_loopback_server(http_server: Server) -> None:
    async with httpx.AsyncClient(transport=guarded_transport(DEFAULT)) as client:
        with pytest.raises(BlockedByPolicyError):
            await client.get(f"http://127.0.0.1:{http_server.port}/")

    assert http_server.paths == []

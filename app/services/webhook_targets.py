"""Where a webhook may point: the SSRF rule, checked after name resolution.

A target must be `https` and every address its name resolves to must be public (not loopback,
private, link-local, shared, reserved, multicast or unspecified), unless the operator allows
private targets (`FUNDMATCH_WEBHOOK_ALLOW_PRIVATE`, which also allows `http`). The delivery then
connects to the address that was checked (pinned), so a name that resolves differently a moment
later cannot send the request elsewhere.
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


class TargetRefused(Exception):
    """The URL may not be a webhook target; the message says why (it names no secret)."""


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str  # as written (the Host header and the TLS server name)
    port: int
    address: str  # the checked address to connect to
    path: str  # path and query

    @property
    def pinned_url(self) -> str:
        host = f"[{self.address}]" if ":" in self.address else self.address
        return f"{self.scheme}://{host}:{self.port}{self.path}"

    @property
    def host_header(self) -> str:
        default = 443 if self.scheme == "https" else 80
        host = f"[{self.host}]" if ":" in self.host else self.host
        return host if self.port == default else f"{host}:{self.port}"


def resolve(host: str, port: int) -> list[str]:
    """Every address `host` resolves to (a seam for tests)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return sorted({str(info[4][0]) for info in infos})


def internal(address: Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return internal(address.ipv4_mapped)
    return not address.is_global or address.is_multicast or address.is_reserved or address.is_unspecified


def check_url(url: str, allow_private: bool) -> None:
    """Refuse what can never be a target, without resolving (the form of the URL)."""
    parts = urlsplit(url)
    allowed = ("https", "http") if allow_private else ("https",)
    if parts.scheme not in allowed:
        raise TargetRefused("the URL must start with https://")
    if not parts.hostname:
        raise TargetRefused("the URL has no host")
    if parts.username or parts.password:
        raise TargetRefused("the URL may not carry a user name or password")
    try:
        _ = parts.port
    except ValueError as exc:
        raise TargetRefused("the URL's port is not a number from 1 to 65535") from exc


def target_of(url: str, allow_private: bool) -> Target:
    """Check `url` and resolve its host: the address to connect to, or `TargetRefused`."""
    check_url(url, allow_private)
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        addresses = [ipaddress.ip_address(host)]
    except ValueError:
        try:
            addresses = [ipaddress.ip_address(a.split("%", 1)[0]) for a in resolve(host, port)]
        except (OSError, UnicodeError) as exc:
            raise TargetRefused(f"the host {host} does not resolve") from exc
    if not addresses:
        raise TargetRefused(f"the host {host} does not resolve")
    if not allow_private:
        for address in addresses:
            if internal(address):
                raise TargetRefused(f"the host {host} resolves to an internal address ({address})")
    path = parts.path or "/"
    if parts.query:
        path += f"?{parts.query}"
    return Target(parts.scheme, host, port, str(addresses[0]), path)

"""A short, human name for the device a request came from ("Firefox on
Linux"), and the network it came from, for security notices and for
judging whether a sign-in comes from somewhere new.

Deliberately coarse: browsers update their version every few weeks and
addresses move within a provider's block, so only the browser family, the
operating system and the /24 (IPv4) or /64 (IPv6) count."""

from __future__ import annotations

import ipaddress

# First match wins: Edge and Opera also say "Chrome", Chrome also says "Safari".
_BROWSERS = (("Edg/", "Edge"), ("OPR/", "Opera"), ("Firefox/", "Firefox"), ("Chrome/", "Chrome"),
             ("Chromium/", "Chromium"), ("Safari/", "Safari"), ("python-httpx", "Python client"),
             ("curl/", "curl"))
_SYSTEMS = (("Android", "Android"), ("iPhone", "iOS"), ("iPad", "iPadOS"), ("Windows", "Windows"),
            ("Mac OS X", "macOS"), ("CrOS", "ChromeOS"), ("Linux", "Linux"))


def device_label(user_agent: str) -> str:
    """"Browser on System", either part left out when unknown; "" for nothing known."""
    browser = next((name for mark, name in _BROWSERS if mark in user_agent), "")
    system = next((name for mark, name in _SYSTEMS if mark in user_agent), "")
    return " on ".join(p for p in (browser, system) if p)


def network(address: str | None) -> str:
    """The /24 or /64 the address belongs to; the text itself when it is no address."""
    try:
        ip = ipaddress.ip_address(address or "")
    except ValueError:
        return address or ""
    prefix = 24 if ip.version == 4 else 64
    return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False))

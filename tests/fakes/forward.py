"""An httpx transport that sends requests for public host names to a local server instead.

It plays the part of the Internet between a public HTTPS address (an ngrok domain, the shop's
own URL) and this PC: the request leaves through a real httpx client and arrives over a real
socket at the local server, only the route is short-cut. Hosts not in the map go out unchanged.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import httpx


class ForwardTransport(httpx.AsyncBaseTransport):
    """``routes`` maps a public host name (or ``*.suffix``) to a callable giving the local URL."""

    def __init__(self, routes: Mapping[str, Callable[[], str]]) -> None:
        self._routes = dict(routes)
        self._inner = httpx.AsyncHTTPTransport()
        self.forwarded: list[str] = []

    def add(self, host: str, target: Callable[[], str]) -> None:
        self._routes[host] = target

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        host = request.url.host
        target = self._routes.get(host) or next(
            (t for k, t in self._routes.items() if k.startswith("*.") and host.endswith(k[1:])),
            None,
        )
        if target is not None:
            self.forwarded.append(str(request.url))
            local = httpx.URL(target())
            request.url = request.url.copy_with(
                scheme=local.scheme, host=local.host, port=local.port
            )
            request.headers["Host"] = local.netloc.decode("ascii")
        return await self._inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self._inner.aclose()

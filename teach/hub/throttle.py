"""Slowing repeated failed logins on the trial hub (JupyterHub itself has no such limit; PAM login is used as is).

:class:`LoginThrottle` counts the failed logins of each account name and of each address over a window; from the
``free``-th failure on, every further attempt on that name or from that address waits before its password is
even checked, twice as long each time up to ``longest`` seconds. A successful login clears the account's count.
A class of 30 that mistypes a password now and then never notices; a script trying passwords gets about two
tries a minute per account. :class:`ThrottledPAMAuthenticator` (teach/hub/jupyterhub_config.py) puts it in
front of JupyterHub's PAMAuthenticator.
"""

from __future__ import annotations

import asyncio
import time
from collections import defaultdict

FREE = 3         # failures without any wait
LONGEST = 30.0   # seconds: the longest wait
WINDOW = 600.0   # seconds: failures older than this are forgotten


class LoginThrottle:
    def __init__(self, free: int = FREE, longest: float = LONGEST, window: float = WINDOW, clock=time.monotonic):
        self.free, self.longest, self.window, self.clock = free, longest, window, clock
        self.failures: dict[str, list[float]] = defaultdict(list)

    def _recent(self, key: str) -> int:
        now = self.clock()
        kept = [t for t in self.failures.get(key, []) if now - t < self.window]
        if kept:
            self.failures[key] = kept
        else:
            self.failures.pop(key, None)
        return len(kept)

    def delay(self, *keys: str) -> float:
        """Seconds the next attempt for these keys (account name, address) waits before its password is checked."""
        count = max((self._recent(k) for k in keys if k), default=0)
        if count < self.free:
            return 0.0
        return min(self.longest, 2.0 ** (count - self.free + 1))

    def failed(self, *keys: str) -> None:
        for key in keys:
            if key:
                self.failures[key].append(self.clock())

    def succeeded(self, name: str) -> None:
        self.failures.pop(name, None)


def throttled(authenticator_class):
    """``authenticator_class`` with a :class:`LoginThrottle` in front of its ``authenticate``."""

    class Throttled(authenticator_class):
        _throttle = LoginThrottle()

        async def authenticate(self, handler, data):
            name = (data or {}).get("username", "")
            address = handler.request.remote_ip if handler is not None else ""
            wait = self._throttle.delay(f"user:{name}", f"ip:{address}")
            if wait:
                self.log.warning("Login for %r from %s waits %.0f s after repeated failed logins", name, address, wait)
                await asyncio.sleep(wait)
            result = await super().authenticate(handler, data)
            if result:
                self._throttle.succeeded(f"user:{name}")
            else:
                self._throttle.failed(f"user:{name}", f"ip:{address}")
            return result

    Throttled.__name__ = f"Throttled{authenticator_class.__name__}"
    return Throttled

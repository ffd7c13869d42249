"""Per-connector circuit breakers (pybreaker) and rate limits (limits, as flask-limiter).

A breaker opens after `fail_max` consecutive failures of a connector's upstream (a
refusal — a non-retryable ConnectorError — is an answer, not a failure) and lets one
trial through after `reset_timeout` seconds (half-open); while it is open the engine
claims none of that connector's rows, so their attempts are not spent. The call itself
runs outside the breaker and its outcome is reported afterwards: pybreaker holds its
lock for the whole of `call`, which would send one connector's deliveries one at a time.

State is per process (a second worker node keeps its own breakers and limits unless
the limits' storage is shared: YIMEN_RATELIMIT_STORAGE, e.g. redis://).
"""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass

import pybreaker
from limits import parse
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter

from yimen.gateway.ports import ConnectorError

FAIL_MAX = 5
RESET_TIMEOUT = 60.0


def _refusal(exc: BaseException) -> bool:
    return isinstance(exc, ConnectorError) and not exc.retryable


@dataclass(frozen=True)
class BreakerState:
    connector: str
    state: str  # closed | open | half-open
    failures: int
    opened_at: dt.datetime | None


class Guards:
    def __init__(
        self,
        fail_max: int = FAIL_MAX,
        reset_timeout: float = RESET_TIMEOUT,
        storage: str = "memory://",
    ) -> None:
        self.fail_max, self.reset_timeout = fail_max, reset_timeout
        self._breakers: dict[str, pybreaker.CircuitBreaker] = {}
        self._lock = threading.Lock()
        self._limiter = MovingWindowRateLimiter(storage_from_string(storage))

    def breaker(self, connector: str) -> pybreaker.CircuitBreaker:
        with self._lock:
            if connector not in self._breakers:
                self._breakers[connector] = pybreaker.CircuitBreaker(
                    fail_max=self.fail_max,
                    reset_timeout=self.reset_timeout,
                    exclude=[_refusal],
                    name=connector,
                    throw_new_error_on_trip=False,
                )
            return self._breakers[connector]

    def closed_to(self, connector: str) -> bool:
        """True while the breaker is open and cooling down: claim nothing for it."""
        breaker = self.breaker(connector)
        if breaker.current_state != pybreaker.STATE_OPEN:
            return False
        opened = breaker._state_storage.opened_at  # noqa: SLF001 - pybreaker has no public getter
        if opened is None:
            return False
        now = dt.datetime.now(opened.tzinfo)
        return (now - opened).total_seconds() < self.reset_timeout

    def report(self, connector: str, failure: BaseException | None) -> None:
        """Tell the breaker how the call went (opens, half-opens or closes it)."""

        def outcome() -> None:
            if failure is not None:
                raise failure

        try:
            self.breaker(connector).call(outcome)
        except BaseException:  # noqa: BLE001 - the failure itself, handled by the engine
            pass

    def allow(self, connector: str, rate: str) -> bool:
        """Take one from the connector's rate (`"20/second"`; empty: unlimited)."""
        if not rate:
            return True
        return self._limiter.hit(parse(rate), "gateway", connector)

    def states(self) -> list[BreakerState]:
        with self._lock:
            breakers = dict(self._breakers)
        return [
            BreakerState(
                name,
                b.current_state,
                b.fail_counter,
                b._state_storage.opened_at,  # noqa: SLF001
            )
            for name, b in sorted(breakers.items())
        ]

    def state_of(self, connector: str) -> BreakerState:
        b = self.breaker(connector)
        return BreakerState(connector, b.current_state, b.fail_counter, b._state_storage.opened_at)  # noqa: SLF001


_guards = Guards()


def guards() -> Guards:
    return _guards


def configure(
    fail_max: int = FAIL_MAX, reset_timeout: float = RESET_TIMEOUT, storage: str = "memory://"
) -> Guards:
    """New breakers and limits (the composition root; tests use short cool-downs)."""
    global _guards
    _guards = Guards(fail_max, reset_timeout, storage)
    return _guards

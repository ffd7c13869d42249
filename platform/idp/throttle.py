"""Throttling of password guessing at the built-in provider's sign-in form.

Failures are counted twice, per submitted user name (whether or not such an officer
exists, so that the answers do not tell names apart) and per client address, in
`idp_sign_in_throttle` so that every process sees the same counters.

- A user name may fail 3 times in a row freely; after the n-th failure the next try is
  refused for 2^(n-3) seconds (2, 4, 8 … at most 5 minutes), and at 10 failures it is
  locked until an administrator unlocks it (`POST /api/v1/officers/<id>/unlock` or the
  console's officer page). A sign-in that succeeds clears the count; 12 hours without
  a failure start it again.
- An address (many officers may sit behind one office NAT) may fail 20 times freely,
  then waits 2^(n-20) seconds, at most 15 minutes; it is never locked, and 15 quiet
  minutes start it again.

A refused try is answered at once ("try again in N seconds") without checking the
password: no request thread sleeps, and a refused try does not count.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from sqlalchemy import and_, delete, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from yimen.platform.idp.model import SignInThrottle
from yimen.platform.kernel.db import utcnow

USER, ADDRESS = "user", "address"


@dataclass(frozen=True)
class Policy:
    free: int  # failures in a row answered without a wait
    cap_seconds: int  # the longest wait
    quiet: dt.timedelta  # after this long without a failure the count starts again
    lockout: int | None  # failures after which only an administrator unlocks


POLICIES = {
    USER: Policy(free=3, cap_seconds=300, quiet=dt.timedelta(hours=12), lockout=10),
    ADDRESS: Policy(free=20, cap_seconds=900, quiet=dt.timedelta(minutes=15), lockout=None),
}


@dataclass(frozen=True)
class Refusal:
    locked: bool
    retry_after: int  # seconds; 0 when locked


def user_key(username: str) -> str:
    return username.strip().lower()[:255]


def _rows(session: Session, username: str, address: str) -> list[SignInThrottle]:
    return list(
        session.execute(
            select(SignInThrottle).where(
                or_(
                    and_(SignInThrottle.kind == USER, SignInThrottle.key == user_key(username)),
                    and_(SignInThrottle.kind == ADDRESS, SignInThrottle.key == address[:255]),
                )
            )
        ).scalars()
    )


def refusal(session: Session, username: str, address: str) -> Refusal | None:
    """Why this try is refused before its password is looked at, or None."""
    now = utcnow()
    rows = _rows(session, username, address)
    if any(row.locked_at is not None for row in rows):
        return Refusal(True, 0)
    waits = [
        math.ceil((row.blocked_until - now).total_seconds())
        for row in rows
        if row.blocked_until is not None and row.blocked_until > now
    ]
    return Refusal(False, max(waits)) if waits else None


def _count(session: Session, kind: str, key: str) -> None:
    policy, now = POLICIES[kind], utcnow()
    query = select(SignInThrottle).where(SignInThrottle.kind == kind, SignInThrottle.key == key)
    row = session.execute(query.with_for_update()).scalar_one_or_none()
    if row is None:
        row = SignInThrottle(kind=kind, key=key, failures=0, last_failure_at=now)
        session.add(row)
    elif row.locked_at is None and now - row.last_failure_at > policy.quiet:
        row.failures, row.blocked_until = 0, None
    row.failures += 1
    row.last_failure_at = now
    if policy.lockout is not None and row.failures >= policy.lockout:
        row.locked_at = row.locked_at or now
    elif row.failures > policy.free:
        wait = min(policy.cap_seconds, 2 ** (row.failures - policy.free))
        row.blocked_until = now + dt.timedelta(seconds=wait)
    session.flush()


def record_failure(session: Session, username: str, address: str) -> None:
    """Count a failed try against the user name and the address (committed)."""
    for kind, key in ((USER, user_key(username)), (ADDRESS, address[:255])):
        try:
            _count(session, kind, key)
            session.commit()
        except IntegrityError:  # another process counted the first failure at once
            session.rollback()
            _count(session, kind, key)
            session.commit()


def record_success(session: Session, username: str) -> None:
    session.execute(
        delete(SignInThrottle).where(
            SignInThrottle.kind == USER, SignInThrottle.key == user_key(username)
        )
    )


def locked_user_names(session: Session) -> set[str]:
    return set(
        session.execute(
            select(SignInThrottle.key).where(
                SignInThrottle.kind == USER, SignInThrottle.locked_at.is_not(None)
            )
        ).scalars()
    )


def unlock(session: Session, username: str) -> dict | None:
    """Lift a user name's lockout (and its wait). Returns what was lifted, or None."""
    row = session.execute(
        select(SignInThrottle).where(
            SignInThrottle.kind == USER, SignInThrottle.key == user_key(username)
        )
    ).scalar_one_or_none()
    if row is None:
        return None
    lifted = {
        "failures": row.failures,
        "locked_at": row.locked_at.isoformat() if row.locked_at else None,
    }
    session.delete(row)
    session.flush()
    return lifted

"""Step-up (ASVS 4.3.3): high-value actions need a proof of a factor on this
session within the last STEP_UP_WINDOW.

A session records when its user last proved a factor (`verified_at`): at
sign-in (password, and the TOTP code when enrolled), at enrolment, and at
POST /api/v1/auth/reauth. The local CLI passes no session and is not asked:
the operator at the console is root on the box.
"""

from __future__ import annotations

from datetime import timedelta

from chatd import clock
from chatd.domain.auth import Session
from chatd.errors import Forbidden

STEP_UP_WINDOW = timedelta(minutes=10)


def require_recent(session: Session | None) -> None:
    """Raise 403 reauthentication_required unless `session` proved a factor lately."""
    verified = session.verified_at if session is not None else None
    if verified is None or clock.now() - verified > STEP_UP_WINDOW:
        raise Forbidden(
            "Confirm it is you first: POST /api/v1/auth/reauth with your password (and a code from your "
            "authenticator when two-step sign-in is on), then try again within 10 minutes.",
            code="reauthentication_required",
        )

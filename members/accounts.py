"""Writes on people's accounts: password reset requests, invitations, deactivation, their e-mails.

The e-mails carrying a link are sent by a task queued after commit (`members.send_account_email`);
the task makes the link itself, so no token ever sits in the broker.
"""

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from core import ratelimit
from core.enums import SecurityEventKind
from core.queue import enqueue_on_commit
from core.services import security_event_record

from .models import User
from .tokens import invitation_token_generator

RESET = "reset"
INVITATION = "invitation"
HOUR = 60 * 60


def _log(kind: str, **fields) -> None:
    security_event_record(kind=kind, **fields)


def reset_users(email: str) -> list[User]:
    """Active users of this address, including those invited who never set a password."""
    return list(User.objects.filter(email__iexact=(email or "").strip(), is_active=True))


def password_reset_allowed_from(*, ip_address: str | None) -> bool:
    """Count a reset request from this address; False past PASSWORD_RESET_PER_ADDRESS an hour."""
    return ratelimit.hit(f"reset:address:{ip_address}", limit=settings.PASSWORD_RESET_PER_ADDRESS, window=HOUR)


@transaction.atomic
def password_reset_request(*, email: str) -> int:
    """Queue a reset link to the account of `email`, at most PASSWORD_RESET_PER_ACCOUNT an hour.

    Answers the same whatever the address (no account enumeration); returns how many were queued.
    """
    queued = 0
    for user in reset_users(email):
        if not ratelimit.hit(f"reset:account:{user.pk}", limit=settings.PASSWORD_RESET_PER_ACCOUNT, window=HOUR):
            _log(SecurityEventKind.PASSWORD_RESET_THROTTLED, user=user)
            continue
        enqueue_on_commit("members.send_account_email", user_id=user.pk, kind=RESET)
        _log(SecurityEventKind.PASSWORD_RESET_REQUESTED, user=user)
        queued += 1
    if not queued:
        _log(SecurityEventKind.PASSWORD_RESET_REQUESTED, identifier=(email or "")[:254], detail={"account": False})
    return queued


def user_invite(*, user: User) -> None:
    """Queue the invitation of a new user: a link to set a first password."""
    enqueue_on_commit("members.send_account_email", user_id=user.pk, kind=INVITATION)
    _log(SecurityEventKind.INVITATION_SENT, user=user)


@transaction.atomic
def user_deactivate(*, user: User) -> User:
    """Deactivate a person for good: they cannot sign in, and everything they wrote keeps its author."""
    if user.is_active:
        user.is_active = False
        user.save(update_fields=["is_active"])  # members.audit logs the deactivation
    return user


def account_link(*, user: User, kind: str) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    if kind == INVITATION:
        path = reverse("invitation", kwargs={"uidb64": uid, "token": invitation_token_generator.make_token(user)})
    else:
        path = reverse(
            "password_reset_confirm", kwargs={"uidb64": uid, "token": default_token_generator.make_token(user)}
        )
    return f"{settings.SITE_URL}{path}"


def account_email_send(*, user_id: int, kind: str) -> bool:
    """Send a reset or invitation e-mail now, in the user's language; False if there is nobody to send to."""
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None or kind not in (RESET, INVITATION):
        return False
    context = {
        "user": user,
        "link": account_link(user=user, kind=kind),
        "hours": (settings.INVITATION_TIMEOUT if kind == INVITATION else settings.PASSWORD_RESET_TIMEOUT) // HOUR,
        "site_url": settings.SITE_URL,
    }
    with translation.override(user.language):
        subject = " ".join(render_to_string(f"registration/{kind}_subject.txt", context).split())
        body = render_to_string(f"registration/{kind}_email.txt", context)
    send_mail(subject, body, None, [user.email])
    return True

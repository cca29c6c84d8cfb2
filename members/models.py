import hashlib

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_otp.models import Device, ThrottlingMixin, TimestampMixin
from rest_framework_api_key.models import AbstractAPIKey

from core.permissions import MEMBER_ONLY

from .enums import ALL_SCOPES, Language, Role


class EmailUserManager(UserManager):
    """Users sign in with their e-mail address; there is no separate user name."""

    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)


class User(AbstractUser):
    username = None
    email = models.EmailField(_("e-mail address"), unique=True)
    language = models.CharField(
        _("language"),
        max_length=2,
        choices=Language.choices,
        default=Language.ENGLISH,
        help_text=_("Language of the e-mails this user receives."),
    )

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = []
    objects = EmailUserManager()

    class Meta:
        ordering = ["email"]
        constraints = [models.UniqueConstraint(Lower("email"), name="user_email_ci_unique")]

    def __str__(self) -> str:
        return self.get_full_name() or self.email

    def has_perm(self, perm, obj=None):
        # Django answers True to any question for an active superuser; writing or submitting a
        # member's plan stays the member's act even for them (core.permissions.MEMBER_ONLY).
        if perm in MEMBER_ONLY and (self.is_staff or self.is_superuser):
            return False
        return super().has_perm(perm, obj)


class Member(models.Model):
    """One of the 32 allies. Created by a data migration; staff do not add or remove them."""

    code = models.CharField(_("code"), max_length=2, unique=True, help_text=_("ISO 3166-1 alpha-2"))
    iso3 = models.CharField(_("ISO alpha-3"), max_length=3, unique=True)
    name = models.CharField(_("name (English)"), max_length=100, unique=True)
    name_fr = models.CharField(_("name (French)"), max_length=100, unique=True)
    accession_year = models.PositiveSmallIntegerField(_("accession year"))

    class Meta:
        ordering = ["name"]
        verbose_name = _("member")
        verbose_name_plural = _("members")
        constraints = [
            models.CheckConstraint(condition=models.Q(code__regex=r"^[A-Z]{2}$"), name="member_code_alpha2"),
            models.CheckConstraint(condition=models.Q(iso3__regex=r"^[A-Z]{3}$"), name="member_iso3_alpha3"),
            models.CheckConstraint(condition=models.Q(accession_year__gte=1949), name="member_accession_after_1949"),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        """The name in the active language (English or French)."""
        return self.name_fr if (get_language() or "en").startswith("fr") else self.name


class Delegate(models.Model):
    """A user's membership of one member's delegation, with a role."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="delegate")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="delegates")
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.VIEWER)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["member__name", "user__email"]
        verbose_name = _("delegate")
        verbose_name_plural = _("delegates")
        permissions = [
            ("manage_delegates", "Can add, change and remove the delegates of members"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(role__in=Role.values), name="delegate_role_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.user.email} ({self.member.code}, {self.get_role_display()})"


def member_id_of(obj) -> int | None:
    """The member an object belongs to: a Member itself, or anything with a `member_id` (plans, keys, ...)."""
    if isinstance(obj, Member):
        return obj.pk
    return getattr(obj, "member_id", None)


def validate_scopes(value) -> None:
    if not isinstance(value, list) or not value:
        raise ValidationError(_("Give at least one scope."))
    unknown = sorted(set(value) - set(ALL_SCOPES))
    if unknown:
        raise ValidationError(
            _("Unknown scope(s): %(unknown)s. Known: %(known)s."),
            params={"unknown": ", ".join(map(str, unknown)), "known": ", ".join(ALL_SCOPES)},
        )


class ApiKey(AbstractAPIKey):
    """A member-scoped key for a national system. Only a hash of the key is stored."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="api_keys")
    scopes = models.JSONField(_("scopes"), default=list, validators=[validate_scopes])
    # Whoever issued a key is kept: deactivated, never deleted.
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)

    class Meta(AbstractAPIKey.Meta):
        permissions = [("issue_api_keys", "Can issue and revoke the API keys of members")]
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")

    def __str__(self) -> str:
        return f"{self.member.code}: {self.name}"

    @property
    def principal(self) -> str:
        """Who requests made with this key act as, for throttles and idempotency keys."""
        return f"key:{self.prefix}"

    def has_scope(self, scope: str) -> bool:
        return scope in self.scopes

    @property
    def is_usable(self) -> bool:
        return not self.revoked and not (self.expiry_date and self.expiry_date <= timezone.now())


def recovery_code_digest(code: str) -> str:
    """The stored form of a recovery code: SHA-256 of the code without spaces, dashes or case."""
    normalised = "".join(code.split()).replace("-", "").lower()
    return hashlib.sha256(normalised.encode()).hexdigest()


class RecoveryCodeDevice(TimestampMixin, ThrottlingMixin, Device):
    """A set of single-use recovery codes, the way back in when the authenticator is lost.

    Our own django-otp device rather than its StaticDevice, which keeps codes in plain text: a
    code here carries 120 random bits and only its SHA-256 is stored (ASVS 5.0 6.5.2 allows a
    plain hash at 112 bits or more), so a copy of the database gives nobody a way in.
    """

    class Meta:
        verbose_name = _("recovery codes")
        verbose_name_plural = _("recovery codes")

    def get_throttle_factor(self) -> int:
        return getattr(settings, "OTP_STATIC_THROTTLE_FACTOR", 1)

    @property
    def remaining(self) -> int:
        return self.codes.filter(used_at__isnull=True).count()

    def verify_token(self, token) -> bool:
        allowed, _details = self.verify_is_allowed()
        if not allowed or not isinstance(token, str) or not token.strip():
            return False
        # A conditional update claims the code, so two requests racing with it use it once.
        used = self.codes.filter(digest=recovery_code_digest(token), used_at__isnull=True).update(
            used_at=timezone.now()
        )
        if used:
            self.throttle_reset(commit=False)
            self.set_last_used_timestamp(commit=False)
            self.save()
        else:
            self.throttle_increment()
        return bool(used)


class RecoveryCode(models.Model):
    device = models.ForeignKey(RecoveryCodeDevice, on_delete=models.CASCADE, related_name="codes")
    digest = models.CharField(max_length=64, unique=True)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("recovery code")
        verbose_name_plural = _("recovery codes")

    def __str__(self) -> str:
        return f"{self.device} #{self.pk}"

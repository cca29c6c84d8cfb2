"""Staff workspace in the Django admin: one module per area."""

from . import cycles, notifications, plans  # noqa: F401 (registers the model admins)

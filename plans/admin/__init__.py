"""Staff workspace in the Django admin: one module per area."""

from . import notifications, plans  # noqa: F401 (registers the model admins)

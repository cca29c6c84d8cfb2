"""Staff workspace in the Django admin: one module per area."""

from . import attachments, catalogue, cycles, notifications, plans  # noqa: F401 (registers the model admins)

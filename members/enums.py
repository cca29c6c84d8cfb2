from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    VIEWER = "viewer", _("Viewer (read)")
    EDITOR = "editor", _("Editor (edit drafts)")
    SUBMITTER = "submitter", _("Submitter (edit and submit)")


ROLES_THAT_EDIT = {Role.EDITOR, Role.SUBMITTER}
ROLES_THAT_SUBMIT = {Role.SUBMITTER}


class Scope(models.TextChoices):
    READ = "read", _("Read")
    WRITE = "write", _("Write")
    SUBMIT = "submit", _("Submit")


ALL_SCOPES = [scope.value for scope in Scope]


class Language(models.TextChoices):
    ENGLISH = "en", _("English")
    FRENCH = "fr", _("French")

"""The delegation's pages: dashboard, plan, editor, submission, versions, comments."""

from .attachments import plan_attachment_add, plan_attachment_download, plan_attachment_remove
from .editor import plan_edit, plan_start
from .imports import plan_import, plan_import_confirm, plan_lines_csv
from .pages import dashboard, plan_comment_add, plan_compare, plan_detail, plan_version, plan_versions
from .spreadsheet import plan_template
from .submission import plan_receipt, plan_submit

__all__ = [
    "dashboard",
    "plan_attachment_add",
    "plan_attachment_download",
    "plan_attachment_remove",
    "plan_comment_add",
    "plan_compare",
    "plan_detail",
    "plan_edit",
    "plan_import",
    "plan_import_confirm",
    "plan_lines_csv",
    "plan_receipt",
    "plan_start",
    "plan_submit",
    "plan_template",
    "plan_version",
    "plan_versions",
]

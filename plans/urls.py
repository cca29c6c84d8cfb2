"""Delegation pages (server-rendered)."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.dashboard, name="home"),
    path("plans/start/", views.plan_start, name="plan-start"),
    path("plans/<int:pk>/", views.plan_detail, name="plan-detail-page"),
    path("plans/<int:pk>/edit/", views.plan_edit, name="plan-edit"),
    path("plans/<int:pk>/template.xlsx", views.plan_template, name="plan-template"),
    path("plans/<int:pk>/lines.csv", views.plan_lines_csv, name="plan-lines-csv"),
    path("plans/<int:pk>/import/", views.plan_import, name="plan-import"),
    path("plans/<int:pk>/import/confirm/", views.plan_import_confirm, name="plan-import-confirm"),
    path("plans/<int:pk>/submit/", views.plan_submit, name="plan-submit"),
    path("plans/<int:pk>/attachments/", views.plan_attachment_add, name="plan-attachment-add"),
    path("plans/<int:pk>/attachments/<int:aid>/", views.plan_attachment_download, name="plan-attachment"),
    path("plans/<int:pk>/attachments/<int:aid>/remove/", views.plan_attachment_remove, name="plan-attachment-remove"),
    path("plans/<int:pk>/comments/", views.plan_comment_add, name="plan-comment-add"),
    path("plans/<int:pk>/versions/", views.plan_versions, name="plan-versions"),
    path("plans/<int:pk>/versions/compare/", views.plan_compare, name="plan-compare"),
    path("plans/<int:pk>/versions/<int:number>/", views.plan_version, name="plan-version"),
    path("plans/<int:pk>/versions/<int:number>/receipt/", views.plan_receipt, name="plan-receipt"),
]

from django.urls import path

from . import attachments, views

urlpatterns = [
    path("catalogue/", views.CatalogueView.as_view(), name="api-catalogue"),
    path("cycles/", views.CycleListView.as_view(), name="api-cycle-list"),
    path("cycles/<int:year>/", views.CycleDetailView.as_view(), name="api-cycle-detail"),
    path("plans/", views.PlanListView.as_view(), name="api-plan-list"),
    path("plans/<int:pk>/", views.PlanDetailView.as_view(), name="api-plan-detail"),
    path("plans/<int:pk>/import/", views.PlanImportView.as_view(), name="api-plan-import"),
    path("plans/<int:pk>/submit/", views.PlanSubmitView.as_view(), name="api-plan-submit"),
    path("plans/<int:pk>/versions/", views.VersionListView.as_view(), name="api-plan-versions"),
    path("plans/<int:pk>/versions/<int:number>/", views.VersionDetailView.as_view(), name="api-plan-version"),
    path("plans/<int:pk>/review/", views.PlanReviewView.as_view(), name="api-plan-review"),
    path("plans/<int:pk>/reviews/", views.ReviewListView.as_view(), name="api-plan-reviews"),
    path("plans/<int:pk>/attachments/", attachments.AttachmentListView.as_view(), name="api-plan-attachments"),
    path(
        "plans/<int:pk>/attachments/<int:aid>/",
        attachments.AttachmentDetailView.as_view(),
        name="api-plan-attachment",
    ),
    path("plans/<int:pk>/comments/", views.CommentListView.as_view(), name="api-plan-comments"),
]

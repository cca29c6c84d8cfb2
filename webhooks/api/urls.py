from django.urls import path

from . import views

urlpatterns = [
    path("events/", views.EventFeedView.as_view(), name="api-events"),
    path("webhooks/", views.EndpointListView.as_view(), name="api-webhooks"),
    path("webhooks/<int:pk>/", views.EndpointDetailView.as_view(), name="api-webhook"),
    path("webhooks/<int:pk>/rotate/", views.EndpointRotateView.as_view(), name="api-webhook-rotate"),
    path("webhooks/<int:pk>/enable/", views.EndpointEnableView.as_view(), name="api-webhook-enable"),
]

from django.urls import path

from .views import MemberDetailView, MemberListView

urlpatterns = [
    path("members/", MemberListView.as_view(), name="api-member-list"),
    path("members/<str:code>/", MemberDetailView.as_view(), name="api-member-detail"),
]

"""Staff report pages beside the admin."""

urlpatterns: list = []

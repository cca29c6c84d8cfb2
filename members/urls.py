"""Sign in, sign out, password reset."""

urlpatterns: list = []

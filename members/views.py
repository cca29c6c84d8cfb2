"""Sign in and out, and password reset, on Django's auth views with our templates."""

from django.contrib.auth import views as auth_views
from django.urls import reverse_lazy

from .forms import SignInForm


class SignInView(auth_views.LoginView):
    template_name = "registration/login.html"
    form_class = SignInForm
    redirect_authenticated_user = True


class SignOutView(auth_views.LogoutView):
    """POST only (Django's default), so that a link or an image cannot sign anyone out."""


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "registration/password_reset_form.html"
    email_template_name = "registration/password_reset_email.txt"
    subject_template_name = "registration/password_reset_subject.txt"
    success_url = reverse_lazy("password_reset_done")

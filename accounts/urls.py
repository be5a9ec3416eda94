from django.contrib.auth import views as auth_views
from django.urls import path

from .views import NotificationSettingsView, PasswordChangeView

urlpatterns = [
    path("dang-nhap/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("dang-xuat/", auth_views.LogoutView.as_view(), name="logout"),
    path("doi-mat-khau/", PasswordChangeView.as_view(), name="password_change"),
    path("doi-mat-khau/xong/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("thong-bao/", NotificationSettingsView.as_view(), name="notification_settings"),
]

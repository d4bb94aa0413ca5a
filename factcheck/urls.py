from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, re_path
from django.views.generic import RedirectView

from annotations import views
from annotations.api.views import wap
from annotations.auth import ThrottledLoginView
from annotations.language import language_switch

urlpatterns = [
    path("login/", ThrottledLoginView.as_view(), name="login"),
    # The admin logs in through the same (throttled) form.
    path("admin/login/", RedirectView.as_view(url="/login/", query_string=True)),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    # Django's set_language, remembering a signed-in user's choice for their emails.
    path("i18n/setlang/", language_switch, name="set_language"),
    path("admin/", admin.site.urls),
    path("healthz", views.healthz, name="healthz"),
    path("api/v1/", include("annotations.api.urls")),
    # The Web Annotation Protocol: one container per article, its annotations inside it.
    path(
        "wap/",
        include(
            (
                [
                    path("articles/<int:pk>/", wap.ContainerView.as_view(), name="container"),
                    re_path(
                        r"^articles/(?P<pk>[0-9]+)/(?P<name>note-[0-9]+|[0-9]+)$",
                        wap.AnnotationView.as_view(),
                        name="annotation",
                    ),
                ],
                "wap",
            )
        ),
    ),
    # Any other /api/ path (an unknown version, say) answers JSON too.
    re_path(r"^api/", views.api_not_found),
    path("", include("annotations.urls")),
]

handler404 = "annotations.views.not_found"
# The app's pages in the reader's language; JSON under /api/ (annotations/error_pages.py).
handler400 = "annotations.error_pages.bad_request"
handler500 = "annotations.error_pages.server_error"

from django.urls import path

from .views import Annotations

urlpatterns = [path("annotations/", Annotations.as_view())]

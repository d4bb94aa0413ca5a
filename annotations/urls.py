from django.urls import path

from . import views

app_name = "annotations"

urlpatterns = [
    path("", views.article_list, name="home"),
    path("articles/", views.article_list, name="article-list"),
    path("articles/<int:pk>/", views.article_detail, name="article-detail"),
]

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    path("", include("portal.worklist.urls")),
    path("records/", include("portal.records.urls")),
    path("cases/", include("portal.casefile.urls")),
    path("notices/", include("portal.notices.urls")),
    path("intake/", include("portal.intake.urls")),
    *[path(f"programs/{name}/", include(f"portal.programs.{name}.urls"))
      for name in ("tekun", "medical", "disaster", "children", "temporary", "review")],
]

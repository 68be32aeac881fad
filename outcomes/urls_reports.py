"""Pages: reports."""

urlpatterns = []

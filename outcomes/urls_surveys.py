"""Pages: surveys."""

urlpatterns = []

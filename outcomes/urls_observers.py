"""Pages: observers."""

urlpatterns = []

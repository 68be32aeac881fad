"""Pages: learning."""

urlpatterns = []

"""URLs of the duty-of-care part: care (issue 15). Included in the exchange namespace."""

urlpatterns: list = []

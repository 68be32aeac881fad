"""URLs of the duty-of-care part: households (issue 15). Included in the exchange namespace."""

urlpatterns: list = []

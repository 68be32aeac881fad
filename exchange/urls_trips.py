"""URLs of the duty-of-care part: trips (issue 15). Included in the exchange namespace."""

urlpatterns: list = []

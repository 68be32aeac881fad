"""URLs of the duty-of-care part: checkins (issue 15). Included in the exchange namespace."""

urlpatterns: list = []

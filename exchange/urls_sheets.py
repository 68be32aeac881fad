"""URLs of the duty-of-care part: sheets (issue 15). Included in the exchange namespace."""

urlpatterns: list = []

"""URLs of the duty-of-care part: sheets (issue 15). Included in the exchange namespace."""

from django.urls import path

from exchange.views import sheets

urlpatterns: list = [
    path(
        "coordinate/programs/<int:pk>/trip-sheets/",
        sheets.trip_sheets,
        name="trip_sheets",
    ),
    path(
        "coordinate/legs/<int:pk>/trip-sheets/batch/",
        sheets.trip_sheet_batch_request,
        name="trip_sheet_batch_request",
    ),
    path(
        "coordinate/legs/<int:pk>/trip-sheets/<int:application>.pdf",
        sheets.trip_sheet_download,
        name="trip_sheet_download",
    ),
    path(
        "coordinate/trip-sheet-batches/<int:pk>/download/",
        sheets.trip_sheet_batch_download,
        name="trip_sheet_batch_download",
    ),
    path(
        "coordinate/trip-sheet-batches/<int:pk>/delete/",
        sheets.trip_sheet_batch_delete,
        name="trip_sheet_batch_delete",
    ),
]

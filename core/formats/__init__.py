"""Per-language date and time formats (FORMAT_MODULE_PATH): 24-hour times everywhere, so a
range reads "19:00 – 20:00" and a sentence never ends "9 a.m.."; the rest is Django's."""

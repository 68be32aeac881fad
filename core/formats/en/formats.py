# Django's English formats with 24-hour times ("N j, Y, P" would write "9 a.m.").
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "N j, Y, H:i"
SHORT_DATETIME_FORMAT = "m/d/Y H:i"

# Django's Korean TIME_FORMAT is "A g:i" (오후 8:00), beside "H:i" in the short formats.
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "Y년 n월 j일 H:i"
SHORT_DATETIME_FORMAT = "Y-n-j H:i"

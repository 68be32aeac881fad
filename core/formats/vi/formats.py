# Django's own Vietnamese formats, written out so every language is set here.
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "H:i \\N\\gà\\y d \\t\\há\\n\\g n \\nă\\m Y"
SHORT_DATETIME_FORMAT = "H:i d-m-Y"

# English dates and times in the admin and the pages: 24-hour clocks like the rest of the
# product (the dashboard's board, the POS, the Chinese pages) and short enough for changelists.
DATE_FORMAT = "j M Y"
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "j M Y, H:i"
SHORT_DATE_FORMAT = "Y-m-d"
SHORT_DATETIME_FORMAT = "Y-m-d H:i"
MONTH_DAY_FORMAT = "j F"

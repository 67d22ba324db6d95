"""Dates and times as Pashto readers in Khyber Pakhtunkhwa write them: day, month name, year; 24-hour
clock.

Django has no Pashto catalogue: month names come from rabta/locale/_django/ps. Only output formats
are set here: forms keep parsing the ISO dates that <input type="date"> sends.
"""

DATE_FORMAT = "j F Y"
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "j F Y، H:i"
YEAR_MONTH_FORMAT = "F Y"
MONTH_DAY_FORMAT = "j F"
SHORT_DATE_FORMAT = "d-m-Y"
SHORT_DATETIME_FORMAT = "d-m-Y H:i"
FIRST_DAY_OF_WEEK = 1  # Monday
DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3

# Django's Arabic locale defines dates but not date-times, which then fell back to the US pattern
# ("يناير 5, 2023"). Day, month, year in the Arabic order, 24-hour time as Moroccan services write it.
DATETIME_FORMAT = "j F، Y، H:i"
SHORT_DATETIME_FORMAT = "d\u200f/m\u200f/Y H:i"
TIME_FORMAT = "H:i"

"""Thresholds and minimums, in one place, with why."""

# Survey metrics from fewer answers than these are suppressed (SPEC section 2):
# customer surveys below 10 are noise; employee surveys below 5 could identify
# people (anonymity).
CUSTOMER_SURVEY_MIN = 10
EMPLOYEE_SURVEY_MIN = 5

# 95 % two-sided normal quantile for Wilson and NPS intervals.
Z95 = 1.959964

# Amber band: a value within 10 % of |target| on the wrong side.
AMBER_BAND = 0.1

# repurchase_90d looks this many days past a first order.
REPURCHASE_WINDOW_DAYS = 90

# Dashboard query cache lifetime (seconds).
CACHE_TTL_SECONDS = 600

"""Thresholds and minimums, in one place, with why."""

import os
from statistics import NormalDist

# Survey metrics from fewer answers than these are suppressed (docs/metrics.md#small-samples-and-suppression):
# customer surveys below 10 are noise; employee surveys below 5 could identify
# people (anonymity).
CUSTOMER_SURVEY_MIN = 10
EMPLOYEE_SURVEY_MIN = 5

# 95 % two-sided normal quantile for Wilson and NPS intervals.
Z95 = 1.959964
# The drivers' Newcombe interval uses the quantile at full precision
# (1.959963984540054): the worked example's drivers files are computed with
# it, and the two differ in the eighth digit of an interval bound, beyond
# the 1e-9 to which outputs must agree. SPEC section 6 writes 1.959964; the
# worked example pins the exact value.
Z95_EXACT = NormalDist().inv_cdf(0.975)

# Amber band: a value within 10 % of |target| on the wrong side.
AMBER_BAND = 0.1

# repurchase_90d looks this many days past a first order.
REPURCHASE_WINDOW_DAYS = 90

# The Loyalty page's sales-lift inputs: ceilings no real plan reaches, so a
# slip of the keyboard (1e308 units) cannot make the lift infinite.
LIFT_MAX_CUSTOMERS = 1_000_000_000
LIFT_MAX_EXTRA_UNITS = 50.0  # per customer per week
LIFT_MAX_WEEKS = 520  # ten years

# Dashboard cache lifetime (seconds): no number on a page comes from a read
# older than this (ui/state.py). PURPOSE_METRICS_CACHE_TTL overrides it.
CACHE_TTL_SECONDS = 600
try:
    CACHE_TTL_SECONDS = max(1, int(os.environ.get("PURPOSE_METRICS_CACHE_TTL", CACHE_TTL_SECONDS)))
except ValueError:  # a typo in the environment is no reason not to start
    pass

"""The metric engine: pure Polars, LazyFrames in, frames out."""

from .cohorts import cohorts
from .dataset import UNKNOWN, Dataset, Filters
from .drivers import driver_frame
from .engine import compute_kpis, kpi_frame
from .scenarios import sales_lift

__all__ = [
    "UNKNOWN",
    "Dataset",
    "Filters",
    "compute_kpis",
    "kpi_frame",
    "driver_frame",
    "cohorts",
    "sales_lift",
]

"""Honest small numbers: every share with the adverts it rests on, a Wilson 95 % interval, and no share at
all below a minimum count (a share of 1 advert is 0 % or 100 % by chance, not a finding)."""
from __future__ import annotations

import numpy as np
import pandas as pd

MIN_ADVERTS = 10  # the default minimum: `cijobs export --min-adverts N` changes it for one export
Z_95 = 1.959963984540054


def wilson_interval(needing, adverts) -> tuple[np.ndarray, np.ndarray]:
    """The Wilson score interval of needing / adverts at 95 % (element-wise; NaN where adverts is 0)."""
    k = np.asarray(needing, dtype=float)
    n = np.asarray(adverts, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = k / n
        denominator = 1 + Z_95**2 / n
        centre = (p + Z_95**2 / (2 * n)) / denominator
        half = Z_95 * np.sqrt(p * (1 - p) / n + Z_95**2 / (4 * n**2)) / denominator
    return np.clip(centre - half, 0, 1), np.clip(centre + half, 0, 1)


def with_intervals(frame: pd.DataFrame, min_adverts: int = MIN_ADVERTS) -> pd.DataFrame:
    """The demand frame (columns ``adverts`` and ``adverts_needing``) with ``share_low``/``share_high`` and
    ``suppressed`` (True where fewer than ``min_adverts`` adverts are counted)."""
    honest = frame.copy()
    honest["share_low"], honest["share_high"] = wilson_interval(honest["adverts_needing"], honest["adverts"])
    honest["suppressed"] = honest["adverts"] < min_adverts
    return honest


def suppress(frame: pd.DataFrame, min_adverts: int = MIN_ADVERTS) -> pd.DataFrame:
    """For files people share: shares (and their intervals) resting on fewer than ``min_adverts`` adverts are
    left empty, with the reason beside them."""
    honest = with_intervals(frame, min_adverts)
    share_columns = [c for c in honest.columns if c.startswith("share")]
    honest.loc[honest["suppressed"], share_columns] = np.nan
    honest["note"] = np.where(honest["suppressed"], f"share not shown: fewer than {min_adverts} adverts", "")
    return honest

"""What every maximum-likelihood fit here shares: positive parameters searched on the log
scale, customers with identical summaries counted once with a weight."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.typing import NDArray
from scipy import optimize

from accord.platform.errors import InvalidInput

Objective = Callable[[NDArray[np.float64]], NDArray[np.float64]]


def check_summaries(x: NDArray[np.float64], t_x: NDArray[np.float64],
                    t: NDArray[np.float64]) -> None:
    """Refuse what no customer can have: no customers, or 0 <= recency <= age broken."""
    if x.size == 0:
        raise InvalidInput("There are no customers to fit the model to.", field="customers")
    if np.any(x < 0) or np.any(t_x < 0) or np.any(t_x > t + 1e-9):
        raise InvalidInput("Summaries need 0 <= recency <= age and frequency >= 0.",
                           field="summary")


def unique_rows(*columns: NDArray[np.float64]) -> tuple[list[NDArray[np.float64]],
                                                       NDArray[np.float64]]:
    """The distinct rows of aligned columns, and how many times each occurs."""
    rows = np.stack(columns, axis=1)
    unique, counts = np.unique(rows, axis=0, return_counts=True)
    return [unique[:, i] for i in range(unique.shape[1])], counts.astype(np.float64)


def maximise(per_row: Objective, weight: NDArray[np.float64],
             start: tuple[float, ...]) -> tuple[NDArray[np.float64], float, int]:
    """Parameters (all positive) maximising sum(weight * per_row(params)); returns them,
    the maximum and the iterations used."""
    def negative(log_params: NDArray[np.float64]) -> float:
        value = float(np.dot(weight, per_row(np.exp(log_params))))
        return -value if np.isfinite(value) else np.inf

    result = optimize.minimize(negative, np.log(np.asarray(start, dtype=np.float64)),
                               method="Nelder-Mead",
                               options={"xatol": 1e-10, "fatol": 1e-10, "maxiter": 40_000,
                                        "maxfev": 80_000, "adaptive": True})
    params = np.exp(result.x)
    return params, float(np.dot(weight, per_row(params))), int(result.nit)

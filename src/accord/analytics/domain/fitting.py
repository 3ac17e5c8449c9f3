"""What every maximum-likelihood fit here shares: positive parameters searched on the log
scale, customers with identical summaries counted once with a weight, terms that depend
only on the purchase count computed once per distinct count."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy import optimize
from threadpoolctl import threadpool_limits

from accord.platform.errors import InvalidInput

Objective = Callable[[NDArray[np.float64]], NDArray[np.float64]]
# params -> (total log-likelihood, its gradient with respect to the params)
ValueAndGradient = Callable[[NDArray[np.float64]], tuple[float, NDArray[np.float64]]]

# Search box on the log scale: wide enough for any real customer base, and it keeps a
# line search from stepping to parameters whose powers overflow.
_LOG_BOUNDS = (float(np.log(1e-8)), float(np.log(1e8)))


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
    """The distinct rows of aligned columns (sorted), and how many times each occurs."""
    order = np.lexsort(columns[::-1])
    ordered = [np.asarray(c, dtype=np.float64)[order] for c in columns]
    new = np.zeros(order.size, dtype=bool)
    new[:1] = True
    for column in ordered:
        new[1:] |= column[1:] != column[:-1]
    starts = np.flatnonzero(new)
    counts = np.diff(np.append(starts, order.size)).astype(np.float64)
    return [column[starts] for column in ordered], counts


def weighted_rows(columns: tuple[NDArray[np.float64], ...],
                  weights: NDArray[np.float64] | None
                  ) -> tuple[list[NDArray[np.float64]], NDArray[np.float64]]:
    """Rows with their weights: grouped here when no weights are given, taken as they are
    (already grouped, e.g. by SQL) when they are."""
    if weights is None:
        return unique_rows(*columns)
    w = np.asarray(weights, dtype=np.float64)
    if w.shape != columns[0].shape or np.any(~np.isfinite(w)) or np.any(w < 0):
        raise InvalidInput("weights must be one count (>= 0) per summary row.",
                           field="weights")
    keep = w > 0
    return [np.asarray(c, dtype=np.float64)[keep] for c in columns], w[keep]


@dataclass(frozen=True)
class CountGroups:
    """The distinct purchase counts of a set of rows: log-gamma and digamma terms are
    computed once per count, then gathered (``index``) or summed with ``weight``."""

    values: NDArray[np.float64]
    index: NDArray[np.intp]  # each row's position in ``values``
    weight: NDArray[np.float64]  # total row weight per distinct count


def count_groups(x: NDArray[np.float64], weight: NDArray[np.float64]) -> CountGroups:
    """Group rows by their purchase count."""
    values, index = np.unique(x, return_inverse=True)
    totals = np.asarray(np.bincount(index, weights=weight, minlength=values.size),
                        dtype=np.float64)
    return CountGroups(values, index.astype(np.intp), totals)


def maximise(per_row: Objective, weight: NDArray[np.float64],
             start: tuple[float, ...]) -> tuple[NDArray[np.float64], float, int]:
    """Parameters (all positive) maximising sum(weight * per_row(params)) without a
    gradient (Nelder-Mead); returns them, the maximum and the iterations used."""
    def negative(log_params: NDArray[np.float64]) -> float:
        value = float(np.dot(weight, per_row(np.exp(log_params))))
        return -value if np.isfinite(value) else np.inf

    result = optimize.minimize(negative, np.log(np.asarray(start, dtype=np.float64)),
                               method="Nelder-Mead",
                               options={"xatol": 1e-10, "fatol": 1e-10, "maxiter": 40_000,
                                        "maxfev": 80_000, "adaptive": True})
    params = np.exp(result.x)
    return params, float(np.dot(weight, per_row(params))), int(result.nit)


# Above this many rows a fit starts on a subsample: its optimum (a few per cent from the
# full one) and Hessian let BFGS finish on all rows in a handful of evaluations.
WARM_START_ROWS = 20_000

Likelihood = Callable[..., ValueAndGradient]  # (*columns, weight) -> ValueAndGradient


def maximise_rows(likelihood: Likelihood, columns: list[NDArray[np.float64]],
                  weight: NDArray[np.float64], start: tuple[float, ...]
                  ) -> tuple[NDArray[np.float64], float, int]:
    """The exact maximum of ``likelihood(*columns, weight)`` over positive parameters.
    Large data: fitted first on a fixed (seeded) subsample of rows, then quasi-Newton on
    all rows from there with the subsample's Hessian, to a gradient of 1e-9 per customer
    (parameters to ~1e-7)."""
    # The products here are vectors and 4x4 matrices: a multi-threaded BLAS only spins,
    # and on a busy machine its threads slow each evaluation twenty-fold.
    with threadpool_limits(limits=1, user_api="blas"):
        return _maximise_rows(likelihood, columns, weight, start)


def _maximise_rows(likelihood: Likelihood, columns: list[NDArray[np.float64]],
                   weight: NDArray[np.float64], start: tuple[float, ...]
                   ) -> tuple[NDArray[np.float64], float, int]:
    rows = weight.size
    if rows <= WARM_START_ROWS:
        return maximise_smooth(likelihood(*columns, weight), start,
                               scale=float(weight.sum()))
    pick = np.sort(np.random.default_rng(20_051_005).choice(rows, WARM_START_ROWS,
                                                            replace=False))
    sample_weight = weight[pick]
    sample = likelihood(*[c[pick] for c in columns], sample_weight)
    warm, _, warm_steps = maximise_smooth(sample, start, scale=float(sample_weight.sum()),
                                          gtol=1e-7, polish=False)
    hessian = _differenced_hessian(_negative_mean(sample, float(sample_weight.sum())),
                                   np.log(warm))
    full_likelihood = likelihood(*columns, weight)
    full = _negative_mean(full_likelihood, float(weight.sum()))
    log_params, value, steps = _quasi_newton(full, np.log(warm), hessian)
    if float(np.max(np.abs(full(log_params)[1]))) > 1e-8:
        # The subsample's optimum was not close (a flat ridge, e.g. Pareto/NBD on data
        # with hardly any heterogeneity in lifetimes): the full fit, from the start.
        params, ll, more = maximise_smooth(full_likelihood, start, scale=float(weight.sum()))
        return params, ll, warm_steps + steps + more
    return np.exp(log_params), float(-value * weight.sum()), warm_steps + steps


def _quasi_newton(negative: Callable[[NDArray[np.float64]],
                                     tuple[float, NDArray[np.float64]]],
                  point: NDArray[np.float64], hessian: NDArray[np.float64], *,
                  gtol: float = 1e-9, rounds: int = 40) -> tuple[NDArray[np.float64], float, int]:
    """Minimise from a point near the minimum, starting from a known Hessian: Newton
    steps with BFGS updates, halved when one goes uphill; stops when the gradient is
    below ``gtol`` (per customer: the floor set by summing a million terms in floats)
    or a step no longer lowers the value. One evaluation per step, mostly."""
    eigenvalues, vectors = np.linalg.eigh(hessian)
    inverse = ((vectors / eigenvalues) @ vectors.T if np.all(eigenvalues > 0)
               else np.eye(point.size))
    value, gradient = negative(point)
    for step_count in range(1, rounds + 1):
        if float(np.max(np.abs(gradient))) < gtol:
            return point, value, step_count - 1
        step = -inverse @ gradient
        for _ in range(6):  # more halvings would only chase rounding noise
            new_point = point + step
            new_value, new_gradient = negative(new_point)
            # Near the optimum the value moves by rounding only: allow for that.
            if np.isfinite(new_value) and new_value <= value + 1e-13 * abs(value):
                break
            step /= 2
        else:
            return point, value, step_count - 1
        change, turn = new_point - point, new_gradient - gradient
        curvature = float(change @ turn)
        if curvature > 0:  # BFGS update of the inverse Hessian
            rho = 1.0 / curvature
            left = np.eye(point.size) - rho * np.outer(change, turn)
            inverse = left @ inverse @ left.T + rho * np.outer(change, change)
        improved = value - new_value
        point, value, gradient = new_point, new_value, new_gradient
        if improved <= 1e-15 * abs(value) and float(np.max(np.abs(change))) < 1e-9:
            return point, value, step_count
    return point, value, rounds


def _negative_mean(value_and_gradient: ValueAndGradient, scale: float
                   ) -> Callable[[NDArray[np.float64]], tuple[float, NDArray[np.float64]]]:
    """-(log-likelihood)/scale and its gradient, as functions of the log parameters."""
    def negative(log_params: NDArray[np.float64]) -> tuple[float, NDArray[np.float64]]:
        params = np.exp(log_params)
        value, gradient = value_and_gradient(params)
        if not (np.isfinite(value) and np.all(np.isfinite(gradient))):
            return np.inf, np.zeros_like(log_params)
        return -value / scale, -(gradient * params) / scale

    return negative


def maximise_smooth(value_and_gradient: ValueAndGradient, start: tuple[float, ...], *,
                    scale: float, gtol: float = 1e-11, polish: bool = True
                    ) -> tuple[NDArray[np.float64], float, int]:
    """Parameters (all positive) maximising a log-likelihood with an analytic gradient:
    L-BFGS-B on the log parameters, converged tightly, then Newton steps on a Hessian
    differenced from the gradient until the gradient stops shrinking (the exact MLE, not
    an optimiser's tolerance away from it). ``scale`` (the number of customers) keeps the
    objective O(1). Returns the parameters, the maximum and the iterations used."""
    negative = _negative_mean(value_and_gradient, scale)
    start_log = np.log(np.asarray(start, dtype=np.float64))
    result = optimize.minimize(negative, start_log, jac=True, method="L-BFGS-B",
                               bounds=[_LOG_BOUNDS] * start_log.size,
                               options={"maxiter": 2_000, "gtol": gtol,
                                        "ftol": 1e-16 if polish else 1e-12, "maxcor": 20})
    log_params, steps = np.asarray(result.x, dtype=np.float64), 0
    if polish:
        log_params, steps = _newton_polish(negative, log_params)
    params = np.exp(log_params)
    value, _ = value_and_gradient(params)
    return params, float(value), int(result.nit) + steps


def _newton_polish(negative: Callable[[NDArray[np.float64]],
                                      tuple[float, NDArray[np.float64]]],
                   point: NDArray[np.float64], *, rounds: int = 3
                   ) -> tuple[NDArray[np.float64], int]:
    """Newton steps from ``point`` while each one lowers the gradient's size."""
    value, gradient = negative(point)
    steps = 0
    for _ in range(rounds):
        size = float(np.max(np.abs(gradient)))
        if size < 1e-13:
            break
        hessian = _differenced_hessian(negative, point)
        try:
            step = np.linalg.solve(hessian, -gradient)
        except np.linalg.LinAlgError:
            break
        candidate = point + step
        new_value, new_gradient = negative(candidate)
        if not (np.isfinite(new_value) and new_value <= value + 1e-14 * abs(value)
                and float(np.max(np.abs(new_gradient))) < size):
            break
        point, value, gradient = candidate, new_value, new_gradient
        steps += 1
    return point, steps


def _differenced_hessian(negative: Callable[[NDArray[np.float64]],
                                            tuple[float, NDArray[np.float64]]],
                         point: NDArray[np.float64], step: float = 1e-5
                         ) -> NDArray[np.float64]:
    columns = []
    for i in range(point.size):
        shift = np.zeros_like(point)
        shift[i] = step
        columns.append((negative(point + shift)[1] - negative(point - shift)[1]) / (2 * step))
    hessian = np.array(columns)
    result: NDArray[np.float64] = (hessian + hessian.T) / 2
    return result

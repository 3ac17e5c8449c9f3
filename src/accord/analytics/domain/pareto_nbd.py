"""The Pareto/NBD model (Schmittlein, Morrison & Colombo 1987), with the likelihood as
Fader, Hardie & Lee write it in "A Note on Deriving the Pareto/NBD Model" (2005): while
alive a customer buys as a Poisson process (rate ~ Gamma(r, alpha)) and dies after an
exponential lifetime (rate ~ Gamma(s, beta)). Maximum likelihood, vectorised, in logs."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy import special

from accord.analytics.domain.fitting import (
    check_summaries,
    count_groups,
    maximise_rows,
    weighted_rows,
)


@dataclass(frozen=True)
class ParetoNbdParams:
    r: float
    alpha: float
    s: float
    beta: float
    log_likelihood: float
    customers: int
    iterations: int


def _log_a0_term(r: float, alpha: float, s: float, beta: float, x: NDArray[np.float64],
                 at: NDArray[np.float64]) -> NDArray[np.float64]:
    """log of 2F1(...) / (max(alpha, beta) + at)^(r+s+x), the paper's A0 pieces."""
    rsx = r + s + x
    if alpha >= beta:
        z = (alpha - beta) / (alpha + at)
        hyp = special.hyp2f1(rsx, s + 1, rsx + 1, z)
        base = alpha + at
    else:
        z = (beta - alpha) / (beta + at)
        hyp = special.hyp2f1(rsx, r + x, rsx + 1, z)
        base = beta + at
    result: NDArray[np.float64] = np.log(hyp) - rsx * np.log(base)
    return result


def log_likelihood(params: NDArray[np.float64], x: NDArray[np.float64],
                   t_x: NDArray[np.float64], t: NDArray[np.float64]) -> NDArray[np.float64]:
    """Each customer's log-likelihood at (r, alpha, s, beta)."""
    r, alpha, s, beta = (float(v) for v in params)
    head = special.gammaln(r + x) - special.gammaln(r) + r * np.log(alpha) + s * np.log(beta)
    alive = -(r + x) * np.log(alpha + t) - s * np.log(beta + t)
    at_last = _log_a0_term(r, alpha, s, beta, x, t_x)
    at_end = _log_a0_term(r, alpha, s, beta, x, t)
    # log(exp(at_last) - exp(at_end)), at_last >= at_end; then add the "died" branch.
    # A customer last seen at the very end has a zero difference: log 0 = -inf is right.
    with np.errstate(divide="ignore"):
        died = (np.log(s) - np.log(r + s + x) + at_last
                + np.log1p(-np.exp(np.minimum(at_end - at_last, 0.0))))
    result: NDArray[np.float64] = head + np.logaddexp(alive, died)
    return result


# Gauss-Legendre rule for each piece of the death-time integral, in u = log(alpha + tau),
# where the integrand is exp(-K u) times a factor analytic near the real axis. A piece
# spans at most _MAX_DECAY in K u (so exp(-K u) falls by at most e^6 across it) and at
# most _MAX_WIDTH in u, and keeps its length below its distance to the pole of
# (beta + tau)^-(s+1) at tau = -beta; then 12 nodes integrate it to ~1e-15 relative.
_NODES, _WEIGHTS = np.polynomial.legendre.leggauss(12)
_MAX_DECAY = 6.0
_MAX_WIDTH = 1.0
_MAX_PIECES = 2_000_000  # x 12 nodes x a few arrays: a few hundred MB at most


def _pieces(span: NDArray[np.float64], regular: NDArray[np.float64],
            near: NDArray[np.float64]) -> tuple[NDArray[np.float64], NDArray[np.float64],
                                                NDArray[np.intp], NDArray[np.intp]]:
    """Split each gap [0, span] into quadrature pieces: while the pole is closer than
    ``regular``, each piece as wide as its distance from the pole (geometric, so a pole
    next to the gap costs a few dozen pieces, not millions; 12 Gauss-Legendre nodes on
    such a piece are exact to ~1e-18), then pieces ``regular`` wide. Returns each piece's
    start and width, its gap, and each gap's first piece."""
    for _ in range(64):
        near = np.maximum(near, regular * 2.0**-60)  # at most 60 graded pieces a gap
        with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
            graded = np.where(near < regular, np.ceil(np.log2(regular / near)), 0.0)
            geo_end = np.where(graded > 0, near * (np.exp2(graded) - 1), 0.0)
            geo_used = np.where(span <= geo_end, np.ceil(np.log2(span / near + 1)), graded)
        even = np.where(span > geo_end, np.ceil((span - geo_end) / regular), 0.0)
        total = float(np.sum(np.maximum(geo_used + even, 1)))
        if total <= _MAX_PIECES:
            break
        # Far from any optimum (optimisers probe extreme parameters) the accuracy rules
        # ask for more pieces than memory holds: coarser pieces there still give a
        # finite value that points the search back.
        regular = regular * (2.0 * total / _MAX_PIECES)
    pieces = np.maximum(geo_used + even, 1).astype(np.intp)
    gap = np.repeat(np.arange(span.size), pieces)
    firsts = (np.cumsum(pieces) - pieces).astype(np.intp)
    j = (np.arange(gap.size) - firsts[gap]).astype(np.float64)
    in_geo = j < geo_used[gap]
    with np.errstate(over="ignore", invalid="ignore"):
        start = np.where(in_geo, near[gap] * (np.exp2(j) - 1),
                         geo_end[gap] + (j - geo_used[gap]) * regular[gap])
        end = np.where(in_geo, near[gap] * (np.exp2(j + 1) - 1), start + regular[gap])
    end = np.minimum(end, span[gap])
    return start, end - start, gap, firsts


class PiecewiseLikelihood:
    """The Pareto/NBD log-likelihood without hyp2f1, with its analytic gradient.

    A customer with x repeat purchases, the last at t_x, observed until T, either is
    still alive at T or died at some tau in [t_x, T]:
        L = C [ (alpha+T)^-(r+x) (beta+T)^-s + s D ],  C = G(r+x)/G(r) alpha^r beta^s,
        D = integral over [t_x, T] of (alpha+tau)^-(r+x) (beta+tau)^-(s+1) d tau.
    D = H(x, t_x) - H(x, T) with H(x, t) the same integral from t to the largest time in
    the rows of count x. H is needed only at the distinct (count, time) pairs of the data,
    tens of thousands for a million customers on a daily grid: the integral is taken once
    over each gap between consecutive times of a count (Gauss-Legendre on pieces, in
    logs) and summed from the top, so every row is a lookup."""

    def __init__(self, x: NDArray[np.float64], t_x: NDArray[np.float64],
                 t: NDArray[np.float64], weight: NDArray[np.float64]) -> None:
        self.counts = count_groups(x, weight)
        self.x, self.t, self.w = x, t, weight
        n = x.size
        group = np.concatenate([self.counts.index, self.counts.index])
        times = np.concatenate([t_x, t])
        order = np.lexsort((times, group))
        sorted_group, sorted_time = group[order], times[order]
        new = np.ones(order.size, dtype=bool)
        new[1:] = (sorted_group[1:] != sorted_group[:-1]) | (sorted_time[1:] != sorted_time[:-1])
        pair_of_sorted = np.cumsum(new) - 1
        pair = np.empty(order.size, dtype=np.intp)
        pair[order] = pair_of_sorted
        self.pair_tx, self.pair_t = pair[:n], pair[n:]
        self.pair_group = sorted_group[new]
        self.pair_time = sorted_time[new]
        # Each pair's slot in a (count, position) table; the gap after a pair is in the
        # same slot, and the last pair of a count has no gap (H = 0 there).
        first = np.ones(self.pair_group.size, dtype=bool)
        first[1:] = self.pair_group[1:] != self.pair_group[:-1]
        starts = np.flatnonzero(first)
        lengths = np.diff(np.append(starts, self.pair_group.size))
        position = np.arange(self.pair_group.size) - np.repeat(starts, lengths)
        self.width = int(lengths.max())
        self.slot = self.pair_group * self.width + position
        self.table_size = int(self.counts.values.size * self.width)
        has_gap = np.ones(self.pair_group.size, dtype=bool)
        has_gap[starts[1:] - 1] = False
        has_gap[-1] = False
        self.gap_pair = np.flatnonzero(has_gap)
        self.gap_x = self.counts.values[self.pair_group[self.gap_pair]]
        self.gap_from = self.pair_time[self.gap_pair]
        self.gap_to = self.pair_time[self.gap_pair + 1]

    def _tails(self, params: NDArray[np.float64]
               ) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """log H at every (count, time) pair and its gradient (pairs x 4)."""
        log_gap, d_gap = self._gap_integrals(params)
        table = np.full(self.table_size, -np.inf)
        table[self.slot[self.gap_pair]] = log_gap
        grid = table.reshape(-1, self.width)[:, ::-1]
        log_h_table = np.logaddexp.accumulate(grid, axis=1)[:, ::-1].ravel()
        log_h = log_h_table[self.slot]
        d_h = np.zeros((log_h.size, 4))
        finite = np.isfinite(log_h)
        # d log H = sum over gaps above of (I_gap / H) d log I_gap: shifted to be
        # positive so the sum stays in logs (the shares sum to one).
        for k in range(4):
            shift = float(d_gap[:, k].min()) - 1.0 if d_gap.size else 0.0
            table = np.full(self.table_size, -np.inf)
            table[self.slot[self.gap_pair]] = log_gap + np.log(d_gap[:, k] - shift)
            grid = table.reshape(-1, self.width)[:, ::-1]
            acc = np.logaddexp.accumulate(grid, axis=1)[:, ::-1].ravel()[self.slot]
            d_h[finite, k] = shift + np.exp(acc[finite] - log_h[finite])
        return log_h, d_h

    def _gap_integrals(self, params: NDArray[np.float64]
                       ) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """log of the integral over each gap, and its gradient (gaps x 4)."""
        r, alpha, s, beta = (float(v) for v in params)
        m = r + self.gap_x
        # d/du of the log-integrand is (1 - m) - (s + 1)(alpha + tau)/(beta + tau); the
        # ratio moves monotonically in tau, so its larger end bounds the slope over the gap.
        # (Bounding it by m + s instead made pieces a million times too many on the flat
        # ridge where s and beta are both large.)
        ratio = np.maximum((alpha + self.gap_from) / (beta + self.gap_from),
                           (alpha + self.gap_to) / (beta + self.gap_to))
        decay = np.abs(1 - m) + (s + 1) * ratio
        u_from = np.log(alpha + self.gap_from)
        span = np.log(alpha + self.gap_to) - u_from
        regular = np.minimum(_MAX_DECAY / decay, _MAX_WIDTH)
        if alpha > beta:  # the pole at tau = -beta lies at u = log(alpha - beta)
            near = np.maximum(u_from - np.log(alpha - beta), 1e-300)
        else:
            near = np.full(span.size, np.inf)
        offset, step, gap, firsts = _pieces(span, regular, near)
        # Nodes: u - u_from, tau, and log(beta + tau), one row per piece.
        du = offset[:, None] + step[:, None] * (1 + _NODES) / 2
        start = self.gap_from[gap][:, None]
        tau = start + (alpha + start) * np.expm1(du)
        u = u_from[gap][:, None] + du
        log_beta_tau = np.log(beta + tau)
        m_p = m[gap][:, None]
        # log of weight x integrand (alpha+tau)^-m (beta+tau)^-(s+1) x d tau / d u.
        terms = np.log(_WEIGHTS) + (1 - m_p) * u - (s + 1) * log_beta_tau
        top = terms.max(axis=1, keepdims=True)
        share = np.exp(terms - top)
        total = share.sum(axis=1)
        log_piece = top[:, 0] + np.log(total) + np.log(step / 2)
        share /= total[:, None]
        d_piece = np.stack([-(share * u).sum(axis=1),
                            -(share * (m_p * np.exp(-u))).sum(axis=1),
                            -(share * log_beta_tau).sum(axis=1),
                            -(s + 1) * (share / (beta + tau)).sum(axis=1)], axis=1)
        log_gap = np.logaddexp.reduceat(log_piece, firsts)
        within = np.exp(log_piece - log_gap[gap])
        d_gap = np.add.reduceat(within[:, None] * d_piece, firsts, axis=0)
        return log_gap, d_gap

    def per_row(self, params: NDArray[np.float64]) -> NDArray[np.float64]:
        """Each row's log-likelihood."""
        return self._evaluate(params, gradient=False)[0]

    def _evaluate(self, params: NDArray[np.float64], *, gradient: bool = True
                  ) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """Each row's log-likelihood, and the gradient of their weighted sum. Terms of the
        count alone are taken per count, terms of (count, time) per pair, then gathered:
        rows only combine them."""
        r, alpha, s, beta = (float(v) for v in params)
        c = self.counts
        xs = c.values
        head = (special.gammaln(r + xs) - special.gammaln(r) + r * np.log(alpha)
                + s * np.log(beta))
        log_h, d_h = self._tails(params)
        m_pair = r + xs[self.pair_group]
        log_at, log_bt = np.log(alpha + self.pair_time), np.log(beta + self.pair_time)
        alive_pair = -m_pair * log_at - s * log_bt
        from_last, from_end = log_h[self.pair_tx], log_h[self.pair_t]
        died_at_end = self.pair_tx == self.pair_t  # last seen at T: no time left to die
        with np.errstate(divide="ignore", invalid="ignore"):  # the died_at_end rows
            ratio = np.where(died_at_end, 0.0, np.exp(from_end - from_last))
            died = np.where(died_at_end, -np.inf, np.log(s) + from_last + np.log1p(-ratio))
        alive = alive_pair[self.pair_t]
        mix = np.logaddexp(alive, died)
        rows = head[c.index] + mix
        if not gradient:
            return rows, np.zeros(4)
        w_died = self.w * np.exp(died - mix)  # weight x share of the "died" branch
        w_alive_pair = np.bincount(self.pair_t, self.w - w_died, minlength=log_h.size)
        # d log D = (H(t_x) dlogH(t_x) - H(T) dlogH(T)) / (H(t_x) - H(T))
        per_last = np.where(died_at_end, 0.0, w_died / np.where(died_at_end, 1.0, 1.0 - ratio))
        at_last = np.bincount(self.pair_tx, per_last, minlength=log_h.size)
        at_end = np.bincount(self.pair_t, per_last * ratio, minlength=log_h.size)
        died_total = float(w_died.sum())
        grad = (at_last - at_end) @ d_h
        grad += [
            float(np.dot(c.weight, special.digamma(r + xs) - special.digamma(r)
                         + np.log(alpha))) - float(np.dot(w_alive_pair, log_at)),
            c.weight.sum() * r / alpha
            - float(np.dot(w_alive_pair, m_pair / (alpha + self.pair_time))),
            c.weight.sum() * np.log(beta) - float(np.dot(w_alive_pair, log_bt)) + died_total / s,
            c.weight.sum() * s / beta - float(np.dot(w_alive_pair, s / (beta + self.pair_time))),
        ]
        return rows, grad

    def __call__(self, params: NDArray[np.float64]) -> tuple[float, NDArray[np.float64]]:
        rows, grad = self._evaluate(params)
        return float(np.dot(self.w, rows)), grad


def fit_pareto_nbd(x: NDArray[np.float64], t_x: NDArray[np.float64], t: NDArray[np.float64],
                   *, weights: NDArray[np.float64] | None = None,
                   start: tuple[float, float, float, float] = (1.0, 1.0, 1.0, 1.0)
                   ) -> ParetoNbdParams:
    """Maximum-likelihood (r, alpha, s, beta) for customers with ``x`` repeat purchases,
    the last at ``t_x``, observed for ``t``. With ``weights``, each row stands for that
    many customers (rows already grouped); without, identical rows are grouped here."""
    check_summaries(x, t_x, t)
    (ux, utx, ut), weight = weighted_rows((x, t_x, t), weights)
    params, ll, iterations = maximise_rows(PiecewiseLikelihood, [ux, utx, ut], weight, start)
    r, alpha, s, beta = (float(v) for v in params)
    return ParetoNbdParams(r=r, alpha=alpha, s=s, beta=beta, log_likelihood=ll,
                           customers=round(weight.sum()), iterations=iterations)

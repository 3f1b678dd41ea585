"""Weighted sums of some columns of a sparse matrix stored column by column, in one C call.

Both the text index (documents x terms) and the programme features (programmes
x codes) are stored column by column: a column's row numbers and values are a
contiguous span of two flat arrays. A query weighs a few columns and sums them
into a vector over all rows.

``add_columns`` does this with scipy's CSC matrix-vector kernel, reading the
spans in place: the selected spans become the even columns of a matrix whose
column pointers are ``begin[0], end[0], begin[1], end[1], ...``, and the odd
columns, from ``end[k]`` to ``begin[k + 1]``, get weight 0. Each output
element receives its products in column order, each rounded as the kernel
always does, so the sums are the same floats as a column-by-column loop gives.

When the spans lie at descending offsets (``begin[k + 1] <= end[k]``) the odd
columns are empty; callers store their columns in descending key order and
select keys in ascending order to get this. With spans in any other order the
odd columns only add zeros to non-negative sums: the result is the same, only
slower.

The kernel lives in a private scipy module. If a scipy release moves it,
``add_columns`` falls back to ``add_columns_by_span``: the same sums, one numpy
step per span, about twice as slow for a query.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

try:
    from scipy.sparse._sparsetools import csc_matvec as _csc_matvec
except ImportError:  # pragma: no cover - only with a scipy that moved its kernels
    _csc_matvec = None

IndexArray = npt.NDArray[np.int32] | npt.NDArray[np.int64]
Values = npt.NDArray[np.float32] | npt.NDArray[np.float64]


def add_columns(
    out: Values, begin: IndexArray, end: IndexArray, rows: IndexArray, values: Values, weights: Values
) -> None:
    """``out[rows[i]] += values[i] * weights[k]`` for every ``i`` in ``begin[k]:end[k]``, ``k`` in order.

    ``begin``, ``end`` and ``rows`` share one integer type; ``values``,
    ``weights`` and ``out`` one float type (the kernel's requirement).
    """
    n_spans = len(weights)
    if n_spans == 0:
        return
    if _csc_matvec is None:  # pragma: no cover - see the module's notes
        add_columns_by_span(out, begin, end, rows, values, weights)
        return
    pointers = np.empty(2 * n_spans, dtype=rows.dtype)
    pointers[0::2], pointers[1::2] = begin, end
    column_weights = np.zeros(2 * n_spans - 1, dtype=values.dtype)
    column_weights[0::2] = weights
    _csc_matvec(len(out), 2 * n_spans - 1, pointers, rows, values, column_weights, out)


def add_columns_by_span(
    out: Values, begin: IndexArray, end: IndexArray, rows: IndexArray, values: Values, weights: Values
) -> None:
    """``add_columns`` in numpy, span after span (a span's rows are distinct, so one step adds each once)."""
    for start, stop, weight in zip(begin.tolist(), end.tolist(), weights, strict=True):
        out[rows[start:stop]] += values[start:stop] * weight

"""Field-weighted BM25 (BM25F) as a sparse term-by-document matrix.

Build: per field, term counts are length-normalised (``1 - b + b * len/avglen``)
and weighted; the fields are summed into one pseudo frequency ``tf``, which is
saturated as ``tf / (k1 + tf)`` and multiplied by the term's IDF. The result is
stored term-major (CSR, terms x documents), so that a query reads the
postings of its terms and sums them in C: no Python loop over documents.

Each term's contribution is at most its IDF, so ``ideal_score`` (the sum of the
query weights times IDF) bounds every document's score.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from itertools import pairwise

import numpy as np
import numpy.typing as npt
from scipy import sparse

from app.matching.corpus import FieldCounts

FloatArray = npt.NDArray[np.float32]
IntArray = npt.NDArray[np.int64]
# postings per query row from which contributions are searched row by row
_ROW_SEARCH_FROM = 1000


class QueryMatrix:
    """The index rows of one query's terms (terms x documents), weighted at scoring time.

    Rows are read as slices of the index's CSR arrays, never copied into a
    matrix of their own: a query costs the postings of its terms, nothing more.
    """

    def __init__(self, matrix: sparse.csr_matrix, term_ids: Sequence[int], weights: Sequence[float]) -> None:
        self._indptr = matrix.indptr
        self._indices = matrix.indices
        self._data = matrix.data
        self._n_docs = matrix.shape[1]
        self._ids = term_ids
        self._weights = np.asarray(weights, dtype=np.float32)
        self._cached: tuple[npt.NDArray[np.int32], FloatArray, IntArray] | None = None

    def _postings(self) -> tuple[npt.NDArray[np.int32], FloatArray, IntArray]:
        """(documents, values, row start offsets) of the query rows, concatenated; computed once."""
        if self._cached is None:
            ids = np.asarray(self._ids, dtype=np.int64)
            begin, end = self._indptr[ids], self._indptr[ids + 1]
            rows = [slice(b, e) for b, e in zip(begin.tolist(), end.tolist(), strict=True)]
            starts = np.zeros(len(rows) + 1, dtype=np.int64)
            np.cumsum(end - begin, out=starts[1:])
            if rows:
                docs = np.concatenate([self._indices[r] for r in rows])
                values = np.concatenate([self._data[r] for r in rows])
            else:
                docs, values = np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.float32)
            self._cached = (docs, values, starts)
        return self._cached

    def scores(self) -> npt.NDArray[np.float64]:
        """The BM25F score of every document."""
        if not self._ids:
            return np.zeros(self._n_docs)
        docs, values, starts = self._postings()
        # the rows as the columns of a documents x terms matrix: one product in C, float32 sums as before
        columns = sparse.csc_matrix((values, docs, starts), shape=(self._n_docs, len(self._ids)))
        return np.asarray(columns @ self._weights, dtype=np.float64)

    def contributions(self, docs: Sequence[int]) -> list[tuple[IntArray, FloatArray]]:
        """Per document: (query-term positions, weighted contributions) of the terms found in it."""
        owner, rows, weighted = self._found(docs)
        bounds = np.searchsorted(owner, np.arange(len(docs) + 1)).tolist()
        return [(rows[a:b], weighted[a:b]) for a, b in pairwise(bounds)]

    def ranked_rows(self, docs: Sequence[int]) -> list[list[int]]:
        """Per document: the query-term positions found in it, largest contribution first, ties in position order."""
        owner, rows, weighted = self._found(docs)
        order = np.lexsort((-weighted, owner))
        bounds = np.searchsorted(owner, np.arange(len(docs) + 1)).tolist()
        ranked = rows[order].tolist()
        return [ranked[a:b] for a, b in pairwise(bounds)]

    def _found(self, docs: Sequence[int]) -> tuple[IntArray, IntArray, FloatArray]:
        """(index in ``docs``, query row, weighted contribution) of every posting of ``docs``, by document then row."""
        posted, values, starts = self._postings()
        if posted.size == 0 or not docs:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        wanted = np.asarray(docs, dtype=np.int64)
        n_rows = starts.size - 1
        # where each wanted document is or would be in each row (a row's documents are sorted): rows x docs
        if posted.size <= _ROW_SEARCH_FROM * n_rows:
            # short rows: one search in (row, document) keys, sorted across all rows
            offsets = np.arange(n_rows, dtype=np.int64) * self._n_docs
            keys = np.repeat(offsets, np.diff(starts)) + posted
            at = keys.searchsorted(offsets[:, None] + wanted)
        else:
            # long rows: building the keys would cost more than a search per row
            at = np.vstack([posted[a:b].searchsorted(wanted) for a, b in pairwise(starts.tolist())])
            at += starts[:-1, None]
        inside = at < starts[1:, None]
        found = inside & (posted[np.where(inside, at, 0)] == wanted)
        owner, rows = np.nonzero(found.T)
        return owner, rows, values[at[rows, owner]] * self._weights[rows]


class TermIndex:
    """An immutable BM25F index over per-field term counts (``corpus.FieldCounts``)."""

    def __init__(
        self,
        vocabulary: dict[str, int],
        n_docs: int,
        fields: Mapping[str, FieldCounts],
        field_weights: Mapping[str, float],
        *,
        k1: float,
        b: float,
    ) -> None:
        parts: list[tuple[npt.NDArray[np.int32], npt.NDArray[np.int32], FloatArray]] = []
        for f, weight in field_weights.items():
            counts = fields.get(f)
            if counts is None or not counts.docs.size:
                continue
            length = np.bincount(counts.docs, weights=counts.counts, minlength=n_docs)
            avg = length[length > 0].mean()
            norm = (weight / (1.0 - b + b * np.maximum(length, 1.0) / avg)).astype(np.float32)
            parts.append((counts.docs, counts.terms, counts.counts * norm[counts.docs]))
        self.vocabulary = vocabulary
        self.n_docs = n_docs
        n_terms = len(vocabulary)
        if not parts:
            self.idf = np.zeros(n_terms, dtype=np.float32)
            self._t = sparse.csr_matrix((n_terms, n_docs), dtype=np.float32)
            return
        # terms x documents; duplicates (one term in several fields) are summed
        coo = sparse.coo_matrix(
            (
                np.concatenate([p[2] for p in parts]),
                (np.concatenate([p[1] for p in parts]), np.concatenate([p[0] for p in parts])),
            ),
            shape=(n_terms, n_docs),
        )
        del parts
        matrix = coo.tocsr()
        del coo
        matrix.sum_duplicates()
        df = np.diff(matrix.indptr)
        idf = np.log1p((n_docs - df + 0.5) / (df + 0.5))
        term_of = np.repeat(np.arange(n_terms), df)
        matrix.data = matrix.data / (k1 + matrix.data) * idf[term_of]
        self.idf = idf.astype(np.float32)
        self._t = sparse.csr_matrix(
            (matrix.data.astype(np.float32), matrix.indices.astype(np.int32), matrix.indptr.astype(np.int64)),
            shape=matrix.shape,
        )

    def ids(self, terms: Sequence[str]) -> tuple[list[int], list[int]]:
        """Vocabulary ids of the known ``terms`` and their positions in ``terms``."""
        ids, positions = [], []
        for i, term in enumerate(terms):
            tid = self.vocabulary.get(term)
            if tid is not None:
                ids.append(tid)
                positions.append(i)
        return ids, positions

    def query(self, term_ids: Sequence[int], weights: Sequence[float]) -> QueryMatrix:
        """The rows of ``term_ids``; row ``i`` of the result is ``term_ids[i]``."""
        return QueryMatrix(self._t, term_ids, weights)

    def ideal_score(self, term_ids: Sequence[int], weights: Sequence[float]) -> float:
        """An upper bound of any document's score: each term fully saturated."""
        if not term_ids:
            return 0.0
        return float(np.dot(self.idf[np.asarray(term_ids)], np.asarray(weights, dtype=np.float32)))

    @property
    def nbytes(self) -> int:
        return int(self._t.data.nbytes + self._t.indices.nbytes + self._t.indptr.nbytes)

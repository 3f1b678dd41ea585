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

import numpy as np
import numpy.typing as npt
from scipy import sparse

from app.matching.columns import add_columns
from app.matching.corpus import FieldCounts

FloatArray = npt.NDArray[np.float32]
IntArray = npt.NDArray[np.int64]
# postings per query row from which contributions are searched row by row
_ROW_SEARCH_FROM = 100


class QueryMatrix:
    """The index rows of one query's terms (terms x documents), weighted at scoring time.

    Rows are read in place from the index's CSR arrays, never copied into a
    matrix of their own: a query costs the postings of its terms, nothing more.
    """

    def __init__(self, matrix: sparse.csr_matrix, term_ids: Sequence[int], weights: Sequence[float]) -> None:
        # scipy's kernels take one index type for pointers and indices (``TermIndex`` stores them so)
        index_type = np.promote_types(matrix.indptr.dtype, matrix.indices.dtype)
        self._indptr = matrix.indptr.astype(index_type, copy=False)
        self._indices = matrix.indices.astype(index_type, copy=False)
        self._data = matrix.data
        self._n_docs = matrix.shape[1]
        self.term_ids = np.asarray(term_ids, dtype=np.int64)
        self.weights = np.asarray(weights, dtype=np.float32)
        # where each query row's postings begin and end in the CSR arrays
        self._begin, self._end = self._indptr[self.term_ids], self._indptr[self.term_ids + 1]

    def scores(self) -> npt.NDArray[np.float64]:
        """The BM25F score of every document: float32 products summed in float32, term by term in query order.

        The rows are read in place, in one C call (``columns.add_columns``);
        ``TermIndex`` numbers terms in descending order, so a query's rows
        (ascending terms) lie at descending offsets, as that call wants.
        """
        out = np.zeros(self._n_docs, dtype=np.float32)
        add_columns(out, self._begin, self._end, self._indices, self._data, self.weights)
        return out.astype(np.float64)

    def contributions(self, docs: Sequence[int]) -> list[tuple[IntArray, FloatArray]]:
        """Per document: (query-term positions, weighted contributions) of the terms found in it."""
        if not self.term_ids.size or not docs:
            return [(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)) for _ in docs]
        weighted, found = self._grid(docs)
        return [(rows.nonzero()[0], column[rows]) for column, rows in zip(weighted.T, found.T, strict=True)]

    def ranked_rows(self, docs: Sequence[int]) -> list[list[int]]:
        """Per document: the query-term positions found in it, largest contribution first, ties in position order."""
        if not self.term_ids.size or not docs:
            return [[] for _ in docs]
        weighted, found = self._grid(docs)
        # terms not found sort last (-inf); the stable sort keeps equal contributions in position order
        order = np.argsort(-np.where(found, weighted, -np.inf), axis=0, kind="stable")
        return [column[:n] for column, n in zip(order.T.tolist(), found.sum(axis=0).tolist(), strict=True)]

    def _grid(self, docs: Sequence[int]) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.bool_]]:
        """Query rows x ``docs``: the weighted contribution of each posting, and where there is a posting."""
        wanted = np.asarray(docs, dtype=self._indices.dtype)
        # where each wanted document is or would be in each row (a row's documents are sorted)
        at = self._positions(self._begin, self._end, wanted)
        # (past the row's end, ``take`` may read the next row: hence the second test)
        found = self._indices.take(at, mode="clip") == wanted
        found &= at < self._end[:, None]
        return self._data.take(at, mode="clip") * self.weights[:, None], found

    def _positions(self, begin: IntArray, end: IntArray, wanted: npt.NDArray[np.int32]) -> IntArray:
        """Per row and wanted document: its insertion point in the row's postings, as an index of the CSR arrays."""
        indices = self._indices
        bounds = list(zip(begin.tolist(), end.tolist(), strict=True))
        counts = end - begin
        if counts.sum() > _ROW_SEARCH_FROM * len(bounds):
            # long rows: a search per row, in place
            at = np.concatenate([indices[b:e].searchsorted(wanted) for b, e in bounds]).reshape(len(bounds), -1)
        else:
            # short rows: one search in (row, document) keys, sorted across all rows
            offsets = np.arange(len(bounds), dtype=np.int64) * self._n_docs
            keys = np.repeat(offsets, counts) + np.concatenate([indices[b:e] for b, e in bounds])
            at = keys.searchsorted(offsets[:, None] + wanted) - (np.cumsum(counts) - counts)[:, None]
        at += begin[:, None]
        return at


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
        # terms numbered in descending order, so that a query's terms (sorted) have descending ids
        # (see ``QueryMatrix.scores``); ``renumber`` maps the corpus' ids to these
        descending = sorted(vocabulary, reverse=True)
        renumber = np.empty(len(vocabulary), dtype=np.int32)
        renumber[[vocabulary[t] for t in descending]] = np.arange(len(descending), dtype=np.int32)
        self.vocabulary = {term: i for i, term in enumerate(descending)}
        self.n_docs = n_docs
        n_terms = len(vocabulary)
        if not parts:
            self.idf = np.zeros(n_terms, dtype=np.float32)
            self._t = sparse.csr_matrix((n_terms, n_docs), dtype=np.float32)
            return
        # terms x documents; duplicates (one term in several fields) are summed
        terms = np.concatenate([p[1] for p in parts])
        np.take(renumber, terms, out=terms)
        coo = sparse.coo_matrix(
            (np.concatenate([p[2] for p in parts]), (terms, np.concatenate([p[0] for p in parts]))),
            shape=(n_terms, n_docs),
        )
        del terms
        del parts
        matrix = coo.tocsr()
        del coo
        matrix.sum_duplicates()
        df = np.diff(matrix.indptr)
        idf = np.log1p((n_docs - df + 0.5) / (df + 0.5))
        # each entry's idf, times its saturated weight, in place: fewer arrays as long as the matrix
        weights = np.repeat(idf, df)
        weights *= matrix.data / (k1 + matrix.data)
        self.idf = idf.astype(np.float32)
        self._t = sparse.csr_matrix(
            (
                weights.astype(np.float32),
                matrix.indices.astype(np.int32, copy=False),
                matrix.indptr.astype(np.int64, copy=False),
            ),
            shape=matrix.shape,
        )

    def ids(self, terms: Sequence[str]) -> tuple[list[int], list[int]]:
        """Vocabulary ids of the known ``terms`` and their positions in ``terms``."""
        found = list(map(self.vocabulary.get, terms))
        return [tid for tid in found if tid is not None], [i for i, tid in enumerate(found) if tid is not None]

    def query(self, term_ids: Sequence[int], weights: Sequence[float]) -> QueryMatrix:
        """The rows of ``term_ids``; row ``i`` of the result is ``term_ids[i]``."""
        return QueryMatrix(self._t, term_ids, weights)

    def ideal_score(self, query: QueryMatrix) -> float:
        """An upper bound of any document's score: each of the query's terms fully saturated."""
        if not query.term_ids.size:
            return 0.0
        return float(np.dot(self.idf[query.term_ids], query.weights))

    @property
    def nbytes(self) -> int:
        return int(self._t.data.nbytes + self._t.indices.nbytes + self._t.indptr.nbytes)

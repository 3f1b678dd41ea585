"""Field-weighted BM25 (BM25F) as a sparse term-by-document matrix.

Build: per field, term counts are length-normalised (``1 - b + b * len/avglen``)
and weighted; the fields are summed into one pseudo frequency ``tf``, which is
saturated as ``tf / (k1 + tf)`` and multiplied by the term's IDF. The result is
stored term-major (CSR, terms x documents), so that a query is one row
selection and one sparse product, both in C: no Python loop over documents.

Each term's contribution is at most its IDF, so ``ideal_score`` (the sum of the
query weights times IDF) bounds every document's score.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable, Mapping, Sequence
from itertools import repeat

import numpy as np
import numpy.typing as npt
from scipy import sparse

FloatArray = npt.NDArray[np.float32]
IntArray = npt.NDArray[np.int64]


class QueryMatrix:
    """The index rows of one query's terms (terms x documents), weighted at scoring time."""

    def __init__(self, rows: sparse.csr_matrix, weights: FloatArray) -> None:
        self._rows = rows
        self._weights = weights

    def scores(self) -> npt.NDArray[np.float64]:
        """The BM25F score of every document."""
        return np.asarray(self._rows.T @ self._weights, dtype=np.float64)

    def contributions(self, docs: Sequence[int]) -> list[tuple[IntArray, FloatArray]]:
        """Per document: (query-term positions, weighted contributions) of the terms found in it."""
        if not docs:
            return []
        columns = self._rows[:, np.asarray(docs, dtype=np.int64)].tocsc()
        columns.sort_indices()
        out = []
        for j in range(len(docs)):
            start, end = columns.indptr[j], columns.indptr[j + 1]
            terms = columns.indices[start:end].astype(np.int64)
            out.append((terms, np.asarray(columns.data[start:end], dtype=np.float32) * self._weights[terms]))
        return out


class TermIndex:
    """An immutable BM25F index; documents are fields of term counts."""

    def __init__(
        self,
        documents: Iterable[Mapping[str, Mapping[str, int]]],
        field_weights: Mapping[str, float],
        *,
        k1: float,
        b: float,
    ) -> None:
        # documents are consumed one at a time into compact arrays, so the
        # caller can stream them and no per-document dicts pile up
        vocabulary: dict[str, int] = {}
        fields = list(field_weights)
        rows = {f: array("i") for f in fields}
        cols = {f: array("i") for f in fields}
        counts = {f: array("f") for f in fields}
        lengths: dict[str, array[float]] = {f: array("d") for f in fields}
        n_docs = 0
        for d, doc in enumerate(documents):
            n_docs = d + 1
            for f in fields:
                terms = doc.get(f)
                if not terms:
                    lengths[f].append(0.0)
                    continue
                for term in terms:
                    if term not in vocabulary:
                        vocabulary[term] = len(vocabulary)
                rows[f].extend(repeat(d, len(terms)))
                cols[f].extend(map(vocabulary.__getitem__, terms))
                counts[f].extend(terms.values())
                lengths[f].append(float(sum(terms.values())))
        parts: list[tuple[npt.NDArray[np.int32], npt.NDArray[np.int32], FloatArray]] = []
        for f in fields:
            if not rows[f]:
                continue
            length = np.frombuffer(lengths[f], dtype=np.float64)
            avg = length[length > 0].mean()
            norm = (field_weights[f] / (1.0 - b + b * np.maximum(length, 1.0) / avg)).astype(np.float32)
            r = np.frombuffer(rows[f], dtype=np.int32)
            parts.append(
                (r, np.frombuffer(cols[f], dtype=np.int32), np.frombuffer(counts[f], dtype=np.float32) * norm[r])
            )
            del rows[f], cols[f], counts[f]
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
        rows = self._t[np.asarray(term_ids, dtype=np.int64)] if term_ids else self._t[:0]
        return QueryMatrix(rows, np.asarray(weights, dtype=np.float32))

    def ideal_score(self, term_ids: Sequence[int], weights: Sequence[float]) -> float:
        """An upper bound of any document's score: each term fully saturated."""
        if not term_ids:
            return 0.0
        return float(np.dot(self.idf[np.asarray(term_ids)], np.asarray(weights, dtype=np.float32)))

    @property
    def nbytes(self) -> int:
        return int(self._t.data.nbytes + self._t.indices.nbytes + self._t.indptr.nbytes)

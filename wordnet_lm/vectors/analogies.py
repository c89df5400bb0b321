"""Analogy evaluation (questions-words format), counting as gensim's ``evaluate_word_analogies``.

Besides the vocabulary rules of :mod:`wordnet_lm.vectors.gensim_rules`:

* an analogy ``a b c d`` is answered by the best of the top 5 candidates among the first
  ``restrict_vocab`` words, leaving out ``a``, ``b``, ``c`` (and their case variants);
* sections whose name starts with ``gram`` are syntactic, the others semantic; the total
  counts every section.

Answers are vectorised: the cosines between the distinct query words and the vocabulary are
one matrix product (per chunk of questions when the table would be too large); a chunk's
3CosAdd or 3CosMul scores are sums or products of rows of that table, and five ``argmax``
passes give each question's top 5.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from wordnet_lm.errors import InputFileError, WordnetLMError
from wordnet_lm.vectors.gensim_rules import (
    DEFAULT_RESTRICT_VOCAB,
    EvalVocab,
    numbered_lines,
)
from wordnet_lm.vectors.keyed import COSMUL_EPSILON, KeyedVectors

METHODS = ("cosadd", "cosmul")
GENSIM_TOPN = 5  # gensim looks for the answer among this many candidates
_CHUNK_CELLS = 1 << 23  # score-matrix cells per chunk (32 MiB of float32)
_TABLE_CELLS = 1 << 25  # query-word cosine table computed once if it fits (128 MiB)


@dataclass
class AnalogyQuestions:
    """The questions of an analogy file, in file order.

    ``questions[k] = (a, b, c, d)`` reads "a is to b as c is to d"; ``section_of[k]`` indexes
    ``sections``.  ``invalid_lines`` counts lines that are neither a section header nor four
    words (gensim skips them too).
    """

    path: Path
    sections: list[str]
    questions: list[tuple[str, str, str, str]]
    section_of: np.ndarray
    invalid_lines: int = 0

    def section(self, name: str) -> list[tuple[str, str, str, str]]:
        """The questions of one section; :class:`WordnetLMError` if there is no such section."""
        if name not in self.sections:
            raise WordnetLMError(f"{self.path}: no section {name!r} (sections: {', '.join(self.sections)})")
        k = self.sections.index(name)
        return [q for q, s in zip(self.questions, self.section_of.tolist()) if s == k]


def read_analogies(path: str | os.PathLike) -> AnalogyQuestions:
    """Read a ``questions-words.txt``-style file: ``: section`` lines, then ``a b c d`` lines."""
    path = Path(path)
    sections: list[str] = []
    questions: list[tuple[str, str, str, str]] = []
    section_of: list[int] = []
    invalid = 0
    for line_no, line in numbered_lines(path, "analogy"):
        if line.startswith(": "):
            sections.append(line.lstrip(": ").strip())
            continue
        words = line.split()
        if not words:
            continue
        if not sections:
            raise InputFileError(f"{path}:{line_no}: question before the first ': section' line")
        if len(words) != 4:
            invalid += 1
            continue
        questions.append((words[0], words[1], words[2], words[3]))
        section_of.append(len(sections) - 1)
    if not questions:
        raise InputFileError(f"{path}: no analogy questions (expected ': section' lines, then 'a b c d' lines)")
    return AnalogyQuestions(path, sections, questions, np.asarray(section_of, np.int64), invalid)



@dataclass
class SectionScore:
    """Counts of one section (or of a group of sections)."""

    name: str
    correct: int = 0
    incorrect: int = 0
    oov: int = 0  # questions with a word outside the vocabulary (skipped unless dummy4unknown)

    @property
    def attempted(self) -> int:
        return self.correct + self.incorrect

    @property
    def accuracy(self) -> float:
        """``correct / (correct + incorrect)``, 0.0 when nothing was attempted (as gensim)."""
        return self.correct / self.attempted if self.attempted else 0.0


@dataclass
class AnalogyResult:
    """Outcome of :func:`evaluate_word_analogies`.

    Per question (file order): ``status`` 1 correct / 0 wrong / -1 skipped (OOV), ``oov``
    whether a word was out of vocabulary, ``predicted`` the answer given (None if none).
    """

    questions: AnalogyQuestions
    method: str
    restrict_vocab: int
    case_insensitive: bool
    dummy4unknown: bool
    status: np.ndarray
    oov: np.ndarray
    predicted: list[str | None] = field(repr=False)

    def __repr__(self) -> str:
        total = self.total
        return (f"AnalogyResult(accuracy={total.accuracy:.4f}, correct={total.correct}, attempted={total.attempted}, "
                f"oov={total.oov}, semantic={self.semantic.accuracy:.4f}, syntactic={self.syntactic.accuracy:.4f}, "
                f"method={self.method!r}, restrict_vocab={self.restrict_vocab})")

    @property
    def sections(self) -> list[SectionScore]:
        return [self._score(name, self.questions.section_of == k) for k, name in enumerate(self.questions.sections)]

    @property
    def total(self) -> SectionScore:
        return self._score("Total accuracy", np.ones(len(self.status), bool))

    @property
    def semantic(self) -> SectionScore:
        return self._score("semantic", ~self._syntactic_mask())

    @property
    def syntactic(self) -> SectionScore:
        return self._score("syntactic", self._syntactic_mask())

    @property
    def accuracy(self) -> float:
        return self.total.accuracy

    @property
    def coverage(self) -> float:
        """Fraction of the questions whose four words are all in the vocabulary."""
        return 1.0 - float(self.oov.mean()) if len(self.oov) else 0.0

    def _syntactic_mask(self) -> np.ndarray:
        syntactic = np.array([name.startswith("gram") for name in self.questions.sections] + [False])
        return syntactic[self.questions.section_of]

    def _score(self, name: str, mask: np.ndarray) -> SectionScore:
        status = self.status[mask]
        return SectionScore(name, int((status == 1).sum()), int((status == 0).sum()), int(self.oov[mask].sum()))

    def gensim_sections(self) -> list[dict]:
        """The result shaped like gensim's: ``[{"section", "correct": [...], "incorrect": [...]}, ...]``
        with a final "Total accuracy" entry (questions as compared, upper-cased if case-insensitive)."""
        key = (lambda w: w.upper()) if self.case_insensitive else (lambda w: w)
        out = [{"section": name, "correct": [], "incorrect": []} for name in self.questions.sections]
        for question, k, status in zip(self.questions.questions, self.questions.section_of.tolist(), self.status):
            if status >= 0:
                out[k]["correct" if status == 1 else "incorrect"].append(tuple(key(w) for w in question))
        out.append({"section": "Total accuracy",
                    "correct": [q for s in out for q in s["correct"]],
                    "incorrect": [q for s in out for q in s["incorrect"]]})
        return out


def evaluate_word_analogies(
    kv: KeyedVectors,
    analogies: str | os.PathLike | AnalogyQuestions,
    restrict_vocab: int | None = DEFAULT_RESTRICT_VOCAB,
    case_insensitive: bool = True,
    dummy4unknown: bool = False,
    method: str = "cosadd",
) -> AnalogyResult:
    """Answer every analogy question and count as gensim's ``evaluate_word_analogies`` does.

    Parameters
    ----------
    kv : KeyedVectors
        Rows in frequency order.
    analogies : path or AnalogyQuestions
        A ``questions-words.txt``-style file (or its parsed form, :func:`read_analogies`).
    restrict_vocab : int or None
        Only the first ``restrict_vocab`` words are known and searched (default 300,000 as in
        gensim; ``None``: all).
    case_insensitive : bool
        Compare upper-cased words (default, as gensim).
    dummy4unknown : bool
        Count OOV questions as wrong instead of skipping them.
    method : {"cosadd", "cosmul"}
        3CosAdd (``b - a + c``, gensim's only method) or 3CosMul (Levy & Goldberg 2014).

    Returns
    -------
    AnalogyResult
    """
    if method not in METHODS:
        raise WordnetLMError(f"unknown analogy method {method!r}; choose one of {', '.join(METHODS)}")
    questions = analogies if isinstance(analogies, AnalogyQuestions) else read_analogies(analogies)
    vocab = EvalVocab(kv, restrict_vocab, case_insensitive)
    n = len(questions.questions)
    rows = np.full((n, 4), -1, np.int64)
    for k, question in enumerate(questions.questions):
        found = vocab.rows(tuple(vocab.key(w) for w in question))
        if found is not None:
            rows[k] = found
    oov = rows[:, 0] < 0
    covered = np.flatnonzero(~oov)
    predicted_rows = answer_analogies(kv.normed_vectors[: vocab.limit], rows[covered, :3], vocab.canonical, method)
    status = np.where(oov, 0 if dummy4unknown else -1, 0).astype(np.int8)
    hit = (predicted_rows >= 0) & (vocab.canonical[np.maximum(predicted_rows, 0)] == rows[covered, 3])
    status[covered[hit]] = 1
    predicted: list[str | None] = [None] * n
    for k, r in zip(covered.tolist(), predicted_rows.tolist()):
        predicted[k] = kv.index_to_key[r] if r >= 0 else None
    return AnalogyResult(questions, method, vocab.limit, case_insensitive, dummy4unknown, status, oov, predicted)


def answer_analogies(normed: np.ndarray, abc: np.ndarray, canonical: np.ndarray, method: str = "cosadd",
                     topn: int = GENSIM_TOPN) -> np.ndarray:
    """Answers (rows of ``normed``) to questions "a is to b as c is to ?", -1 when there is none.

    Parameters
    ----------
    normed : ndarray, shape (n_words, dim)
        Unit vectors of the searchable words.
    abc : ndarray of int, shape (n_questions, 3)
        Rows of a, b, c (canonical rows, see below).
    canonical : ndarray of int, shape (n_words,)
        The row each word's (case-folded) key stands for; candidates whose key is a query key
        are passed over.
    method : {"cosadd", "cosmul"}
    topn : int
        As gensim: the answer is the first acceptable word among the ``topn`` best candidates
        (query rows left out); if none is acceptable, the last of them.
    """
    n_words = len(normed)
    answers = np.full(len(abc), -1, np.int64)
    chunk = max(1, _CHUNK_CELLS // max(n_words, 1))
    distinct, inverse = np.unique(abc, return_inverse=True)
    table = None
    if len(distinct) * n_words <= _TABLE_CELLS:  # cosines of every query word, computed once
        table = _query_table(normed, distinct, method)
    for start in range(0, len(abc), chunk):
        part = abc[start:start + chunk]
        if table is None:  # too many distinct query words: a table per chunk
            part_distinct, part_inverse = np.unique(part, return_inverse=True)
            scores = _analogy_scores(_query_table(normed, part_distinct, method), part_inverse.reshape(part.shape),
                                     method)
        else:
            scores = _analogy_scores(table, inverse.reshape(abc.shape)[start:start + chunk], method)
        scores[np.arange(len(part))[:, None], part] = -np.inf  # never answer a query word
        answers[start:start + len(part)] = _pick_answers(scores, part, canonical, topn)
    return answers


def _query_table(normed: np.ndarray, rows: np.ndarray, method: str) -> np.ndarray:
    """Cosines of the query words ``rows`` with every word; for 3CosMul shifted to ``(1 + cos) / 2``."""
    table = normed[rows] @ normed.T
    if method == "cosmul":
        table += 1.0
        table *= 0.5
    return table


def _analogy_scores(table: np.ndarray, abc: np.ndarray, method: str) -> np.ndarray:
    """Candidate scores (questions x words) from rows ``abc`` (a, b, c) of the query table."""
    scores = table[abc[:, 1]]
    if method == "cosadd":  # cos(w, b) + cos(w, c) - cos(w, a)
        scores += table[abc[:, 2]]
        scores -= table[abc[:, 0]]
    else:  # shifted cos(w, b) * cos(w, c) / (cos(w, a) + eps)
        scores *= table[abc[:, 2]]
        denominator = table[abc[:, 0]]
        denominator += COSMUL_EPSILON
        scores /= denominator
    return scores


def _pick_answers(scores: np.ndarray, abc: np.ndarray, canonical: np.ndarray, topn: int) -> np.ndarray:
    """gensim's choice among the ``topn`` best candidates (``scores`` is overwritten)."""
    rows = np.arange(len(scores))
    k = min(topn, scores.shape[1])
    best = np.empty((len(scores), k), np.int64)
    valid = np.empty((len(scores), k), bool)
    for j in range(k):  # k argmax passes beat a full argpartition (ties: lower row first)
        best[:, j] = scores.argmax(axis=1)
        valid[:, j] = np.isfinite(scores[rows, best[:, j]])
        scores[rows, best[:, j]] = -np.inf
    keys = canonical[best]
    acceptable = valid & (keys != abc[:, [0]]) & (keys != abc[:, [1]]) & (keys != abc[:, [2]])
    n_valid = valid.sum(axis=1)  # valid candidates come first
    choice = np.where(acceptable.any(axis=1), acceptable.argmax(axis=1), np.maximum(n_valid - 1, 0))
    return np.where(n_valid > 0, best[rows, choice], -1)


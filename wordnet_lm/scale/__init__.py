"""Work bigger than memory or than one machine: executors (in-process, process pool, Dask),
temporary folders, memory budgets.

The map and reduce functions of each kind of count live with that count (n-grams in
:mod:`wordnet_lm.ngram.external`); this package only runs them.
"""

from wordnet_lm.scale.budget import parse_memory
from wordnet_lm.scale.executor import Executor, InProcess, ProcessPool, make_executor
from wordnet_lm.scale.tempdir import TempFolder

__all__ = ["Executor", "InProcess", "ProcessPool", "make_executor", "TempFolder", "parse_memory"]

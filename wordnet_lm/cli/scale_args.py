"""Options shared by commands that count at scale: ``--memory``, ``--temp``, ``--workers``,
``--scheduler`` (checked before any long work)."""

from __future__ import annotations

import argparse
from pathlib import Path

from wordnet_lm.cli import options as opt
from wordnet_lm.scale.budget import parse_memory
from wordnet_lm.scale.executor import Executor, check_dask_options, make_executor
from wordnet_lm.scale.tempdir import check_temp_parent


def add_scale_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("bigger than memory / on a cluster")
    group.add_argument("--memory", default=None, metavar="SIZE",
                       help="memory budget such as 2G: count in sorted runs spilled to --temp, merge and "
                            "estimate streaming (same result as in memory)")
    group.add_argument("--temp", type=Path, default=None, metavar="DIR",
                       help="parent folder of the temporary files (default: the system's); removed at the end")
    group.add_argument("--workers", type=opt.integer(1, 4096), default=None, metavar="N",
                       help="count on a local Dask cluster of N worker processes (needs the [dask] extra)")
    group.add_argument("--scheduler", default=None, metavar="ADDRESS",
                       help="count on the Dask cluster at ADDRESS, e.g. tcp://host:8786 (needs the [dask] extra)")


def scale_requested(args: argparse.Namespace) -> bool:
    return any(getattr(args, name, None) is not None for name in ("memory", "workers", "scheduler"))


def check_scale_arguments(args: argparse.Namespace) -> int:
    """Validate the options (one-line errors); return the memory budget in bytes (2G if not given)."""
    budget = parse_memory(args.memory if args.memory is not None else "2G")
    if args.temp is not None:
        check_temp_parent(args.temp)
    check_dask_options(args.workers, args.scheduler)
    return budget


def executor_from_args(args: argparse.Namespace) -> Executor | None:
    """A Dask executor for ``--workers``/``--scheduler``; None for the default (local processes)."""
    if args.scheduler is not None:
        return make_executor(scheduler=args.scheduler)
    if args.workers is not None:
        return make_executor(workers=args.workers, dask=True)
    return None

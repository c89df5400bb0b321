"""The neural LM's output-layer options (``--output``, ``--cutoffs``, ``--projections``, ``--classes``)."""

from __future__ import annotations

import argparse
from typing import Any

from wordnet_lm.cli import options as opt
from wordnet_lm.errors import WordnetLMError


def _positive_ints(text: str, example: str, increasing: bool) -> list[int]:
    """Positive integers separated by commas (strictly increasing if asked), else an argparse error."""
    problem = f"must be {'increasing ' if increasing else ''}positive integers like {example}, got {text!r}"
    try:
        values = [int(v) for v in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(problem) from None
    if min(values) < 1 or (increasing and any(b <= a for a, b in zip(values, values[1:]))):
        raise argparse.ArgumentTypeError(problem)
    return values


def cutoff_list(text: str) -> list[int]:
    """An argparse type: increasing positive integers separated by commas, e.g. ``2000,10000``."""
    return _positive_ints(text, "2000,10000", increasing=True)


def width_list(text: str) -> list[int]:
    """An argparse type: positive integers separated by commas, e.g. ``100,50,25``."""
    return _positive_ints(text, "100,50,25", increasing=False)


def add_output_args(group: Any) -> None:
    from wordnet_lm.nplm.config import ADAPTIVE_FROM, OUTPUTS

    group.add_argument("--output", choices=OUTPUTS, default="auto",
                       help=f"softmax: full, adaptive (Grave et al.), class (frequency classes), or auto: full "
                            f"below {ADAPTIVE_FROM:,} words, adaptive from there (default auto)")
    group.add_argument("--cutoffs", type=cutoff_list, metavar="C1,C2,...",
                       help="adaptive softmax: head words and cluster edges (default below 20,000 words "
                            "1000,5000; from there 250,500,1000,... below |V|)")
    group.add_argument("--projections", type=width_list, metavar="W1,W2,...",
                       help="adaptive softmax: each tail cluster's projection width, the hidden size for none "
                            "(default below 20,000 words h/4, h/16, ...; from there h*1000/(the cluster's last rank), "
                            "at most h)")
    group.add_argument("--classes", type=opt.count, default=None, metavar="N",
                       help="class-factored softmax: number of frequency classes (default sqrt(|V|)/3)")


def output_options(args: argparse.Namespace) -> dict[str, Any]:
    """``NPLM`` keyword arguments from the parsed options (``--cutoffs`` and ``--projections``
    imply the adaptive softmax, ``--classes`` the class-factored one)."""
    output = args.output
    for name, value in (("--cutoffs", args.cutoffs), ("--projections", args.projections)):
        if value is not None and output == "auto":
            output = "adaptive"
        if value is not None and output != "adaptive":
            raise WordnetLMError(f"{name} is an option of the adaptive softmax (--output adaptive)")
    if args.classes is not None and output == "auto":
        output = "class"
    if args.classes is not None and output != "class":
        raise WordnetLMError("--classes is an option of the class-factored softmax (--output class)")
    return {"output": output, "cutoffs": args.cutoffs, "classes": args.classes, "projections": args.projections}

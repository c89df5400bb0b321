"""The neural LM's output-layer options (``--output``, ``--cutoffs``, ``--classes``)."""

from __future__ import annotations

import argparse
from typing import Any

from wordnet_lm.errors import WordnetLMError


def add_output_args(group: Any) -> None:
    from wordnet_lm.nplm.outputs import ADAPTIVE_FROM, OUTPUTS

    group.add_argument("--output", choices=OUTPUTS, default="auto",
                       help=f"softmax: full, adaptive (Grave et al.), class (frequency classes), or auto: full "
                            f"below {ADAPTIVE_FROM:,} words, adaptive from there (default auto)")
    group.add_argument("--cutoffs", metavar="C1,C2,...",
                       help="adaptive softmax: head words and cluster edges (default 1000,5000,25000,... below |V|)")
    group.add_argument("--classes", type=int, default=None, metavar="N",
                       help="class-factored softmax: number of frequency classes (default sqrt(|V|)/3)")


def output_options(args: argparse.Namespace) -> dict[str, Any]:
    """``NPLM`` keyword arguments from the parsed options."""
    cutoffs = None
    if args.cutoffs:
        try:
            cutoffs = [int(c) for c in args.cutoffs.split(",")]
        except ValueError:
            raise WordnetLMError(f"--cutoffs must look like 2000,10000, got {args.cutoffs!r}") from None
    output = args.output
    if cutoffs is not None and output == "auto":
        output = "adaptive"
    if cutoffs is not None and output != "adaptive":
        raise WordnetLMError("--cutoffs is an option of the adaptive softmax (--output adaptive)")
    if args.classes is not None and output == "auto":
        output = "class"
    if args.classes is not None and output != "class":
        raise WordnetLMError("--classes is an option of the class-factored softmax (--output class)")
    return {"output": output, "cutoffs": cutoffs, "classes": args.classes}

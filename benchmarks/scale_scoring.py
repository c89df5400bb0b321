"""Scoring at scale (issue 11, part 5): load + score a big order-5 model, ours against KenLM.

Side by side in one run, end to end as a user runs them (start, load the model, read and score
the text, print the perplexity), with wall time, CPU time and peak RSS of the process tree:

* ``wordnet-lm perplexity --model lm.arpa`` (read straight into hash tables,
  ``wordnet_lm.ngram.arpa_hashed``) against KenLM's ``query lm.arpa`` (ARPA text);
* ``wordnet-lm perplexity --model lm.wnlm`` (our memory-mapped binary, ``wordnet-lm
  build-binary``, float32 values as KenLM) against ``query lm.klm`` (KenLM's ``build_binary``,
  probing), and the same with ``build-binary --double`` (float64 values, exactly the ARPA's scores);
* the one-off conversions (``build-binary`` and ``build_binary``) are timed too.

Every row checks that both sides print the same perplexity (4 decimals).

The model is order-5 modified Kneser-Ney on nltk-mix (``lmplz -o 5``), the text nltk-mix.

    python benchmarks/scale_scoring.py --kenlm /tmp/cooc_peer/kenlm/build/bin --arpa /tmp/nltk5.arpa
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path


HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from scale import header_line, machine_info, publish, shared_dir, with_cpu  # noqa: E402  (the n-gram part's measuring helpers)

KEYS = ("wall", "cpu", "peak_rss")


# as a user runs it: with the modules' bytecode cached (this environment may forbid writing it)
USER_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def ours(model: Path, text: Path, scratch: Path) -> dict:
    run = with_cpu([sys.executable, "-m", "wordnet_lm", "perplexity", "--model", str(model), "--text", str(text)],
                   stdout=scratch / "ours.out", env=USER_ENV)
    found = re.search(r"Perplexity including OOVs:\s*([0-9.]+)", (scratch / "ours.out").read_text())
    return {**{k: run[k] for k in KEYS}, "perplexity": float(found[1]) if found else None}


def query(binary: Path, model: Path, text: Path, scratch: Path) -> dict:
    run = with_cpu([str(binary), "-v", "summary", str(model)], stdin=text, stdout=scratch / "query.out")
    out = (scratch / "query.out").read_text()
    found = re.search(r"Perplexity including OOVs:\s*([0-9.]+)", out)
    return {**{k: run[k] for k in KEYS}, "perplexity": float(found[1]) if found else None}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--kenlm", type=Path, required=True, help="folder of KenLM's query and build_binary")
    parser.add_argument("--arpa", type=Path, required=True, help="the order-5 ARPA model")
    parser.add_argument("--text", type=Path, default=shared_dir() / "corpora" / "nltk-mix.txt")
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(HERE.parent / "wordnet_lm")], check=True, env=USER_ENV)
    info = machine_info()
    report = {"info": info}
    with tempfile.TemporaryDirectory(dir=args.arpa.parent) as scratch:
        scratch = Path(scratch)
        report["query_arpa"] = query(args.kenlm / "query", args.arpa, args.text, scratch)
        report["ours_arpa"] = ours(args.arpa, args.text, scratch)
        convert = with_cpu([str(args.kenlm / "build_binary"), str(args.arpa), str(scratch / "lm.klm")])
        report["build_binary"] = {k: convert[k] for k in KEYS}
        convert = with_cpu([sys.executable, "-m", "wordnet_lm", "build-binary", str(args.arpa),
                            str(scratch / "lm.wnlm")])
        report["ours_build_binary"] = {k: convert[k] for k in KEYS}
        subprocess.run([sys.executable, "-m", "wordnet_lm", "build-binary", "--double", str(args.arpa),
                        str(scratch / "lm64.wnlm")], check=True, stdout=subprocess.DEVNULL, cwd=HERE.parent)
        report["sizes"] = {"klm": (scratch / "lm.klm").stat().st_size, "wnlm": (scratch / "lm.wnlm").stat().st_size,
                           "wnlm64": (scratch / "lm64.wnlm").stat().st_size}
        report["query_binary"] = query(args.kenlm / "query", scratch / "lm.klm", args.text, scratch)
        report["ours_binary"] = ours(scratch / "lm.wnlm", args.text, scratch)
        report["ours_binary64"] = ours(scratch / "lm64.wnlm", args.text, scratch)
    info["load_after"] = os.getloadavg()
    print(json.dumps(report))
    publish(report, markdown(report), args.json)


def markdown(report: dict) -> str:
    gb = 1 << 30
    info = report["info"]
    lines = [header_line(info), "",
             "| model | ours wall s | ours CPU s | ours peak RSS GB | query wall s | query CPU s | query peak RSS GB "
             "| wall ratio | CPU ratio | RSS ratio | perplexity (ours / query) |", "|---" * 11 + "|"]
    rows = (("ARPA (hash tables straight from the text)", "ours_arpa", "query_arpa"),
            ("binary, float32 (`.wnlm` / KenLM probing `.klm`)", "ours_binary", "query_binary"),
            ("binary, float64 (`build-binary --double` / `.klm`)", "ours_binary64", "query_binary"))
    for name, mine, theirs in rows:
        o, q = report[mine], report[theirs]
        lines.append(f"| {name} | {o['wall']:.1f} | {o['cpu']:.1f} | {o['peak_rss'] / gb:.2f} | {q['wall']:.1f} | "
                     f"{q['cpu']:.1f} | {q['peak_rss'] / gb:.2f} | {o['wall'] / q['wall']:.2f}x | "
                     f"{o['cpu'] / q['cpu']:.2f}x | {o['peak_rss'] / q['peak_rss']:.2f}x | "
                     f"{o['perplexity']:.4f} / {q['perplexity']:.4f} |")
    lines.append(f"\nconversion: ours build-binary {report['ours_build_binary']['wall']:.1f} s "
                 f"({report['sizes']['wnlm'] / gb:.2f} GB), KenLM build_binary {report['build_binary']['wall']:.1f} s "
                 f"({report['sizes']['klm'] / gb:.2f} GB)")
    return "\n".join(lines)


if __name__ == "__main__":
    main()

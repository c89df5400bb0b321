"""How co-occurrence counting cost grows with the work (issue 11, co-occurrence part).

For corpora of 4M, 16M, 64M tokens from ``../shared/bench/make_scale_corpus.py`` (kept under
/tmp and shared with ``benchmarks/scale.py``), side by side in one run, end to end as a user
runs them (reading the text, writing the counts), window 10, min count 5:

* ``wordnet-lm cooccur TEXT --out DIR --memory 2G`` (both cores: encode, count shards, merge
  ranges) against Stanford GloVe's ``vocab_count`` + ``cooccur -memory 2`` (built from source,
  a peer only); wall time, CPU time (user + system of the whole process tree, from the rusage
  of reaped children) and peak RSS of the whole process tree (sampled every 0.1 s);
* counting on Dask: a LocalCluster of 1 and of 2 worker processes, same encoded corpus and
  budget (cluster start excluded), run alternately 0, 1, 2, 2, 1, 1, 2, 0, best of three each: throughput ratio.

The time exponent k is the least-squares slope of log(time) on log(tokens).

    python benchmarks/scale_cooccur.py --glove /tmp/cooc_peer/glove/build --sizes 4e6 16e6 64e6
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path


HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from scale import finish_report, header_line, machine_info, publish, scale_corpus, with_cpu  # noqa: E402  (the n-gram part's measuring helpers)


def dask_counting(text: Path, scratch: Path, memory: str) -> dict:
    """1 against 2 Dask workers counting co-occurrences, alternated, best of three (``benchmarks/scale_dask.py``)."""
    from scale_dask import compare

    return compare("cooccur", text, scratch, memory)


def stanford(glove: Path, text: Path, scratch: Path, memory_gb: float) -> dict:
    """``vocab_count`` then ``cooccur`` as GloVe's demo.sh runs them (window 10, min count 5)."""
    vocab = with_cpu([str(glove / "vocab_count"), "-min-count", "5", "-verbose", "0"], stdin=text,
                     stdout=scratch / "vocab.txt")
    cooc = with_cpu([str(glove / "cooccur"), "-memory", str(memory_gb), "-vocab-file", str(scratch / "vocab.txt"),
                     "-verbose", "0", "-window-size", "10", "-overflow-file", str(scratch / "overflow")],
                    stdin=text, stdout=scratch / "cooccurrence.bin")
    nnz = (scratch / "cooccurrence.bin").stat().st_size // 16  # records of (int, int, double)
    (scratch / "cooccurrence.bin").unlink()
    return {"wall": vocab["wall"] + cooc["wall"], "cpu": vocab["cpu"] + cooc["cpu"],
            "peak_rss": max(vocab["peak_rss"], cooc["peak_rss"]), "nnz": nnz}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=float, nargs="+", default=[4e6, 16e6, 64e6])
    parser.add_argument("--dir", type=Path, default=Path("/tmp/scale_ngram"), help="where the corpora are (made)")
    parser.add_argument("--glove", type=Path, default=None, help="Stanford GloVe's build folder (skipped if absent)")
    parser.add_argument("--memory", default="2G")
    parser.add_argument("--dask-size", type=float, default=16e6, help="corpus size of the Dask 1-vs-2 comparison")
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    memory_gb = float(args.memory.rstrip("Gg"))
    info = machine_info()
    rows = []
    for size in args.sizes:
        name, text = scale_corpus(args.dir, size)
        row = {"corpus": name, "bytes": text.stat().st_size}
        with tempfile.TemporaryDirectory(dir=args.dir) as scratch:
            scratch = Path(scratch)
            ours = with_cpu([sys.executable, "-m", "wordnet_lm", "cooccur", str(text), "--out", str(scratch / "X"),
                             "--window", "10", "--min-count", "5", "--memory", args.memory, "--temp", str(scratch)])
            header = json.loads((scratch / "X" / "header.json").read_text())
            row["ours"] = {k: ours[k] for k in ("wall", "cpu", "peak_rss")}
            row["ours"]["nnz"] = header["nnz"]
            row["ours"]["summary"] = ours["stderr"].strip().splitlines()[-1] if ours["stderr"].strip() else ""
            row["tokens"] = int(sum(int(line.rsplit("\t", 1)[1])
                                    for line in (scratch / "X" / "vocab.txt").read_text().splitlines()))
            if args.glove and (args.glove / "cooccur").exists():
                try:
                    row["stanford"] = stanford(args.glove, text, scratch, memory_gb)
                except SystemExit as failure:  # the peer crashed: recorded, not fatal
                    row["stanford_failed"] = str(failure)[:300]
        rows.append(row)
        print(json.dumps(row), flush=True)
    for row in rows:  # last: the slowest part, on one size
        if abs(float(row["corpus"][1:-1]) * 1e6 - args.dask_size) < 1:
            with tempfile.TemporaryDirectory(dir=args.dir) as scratch:
                text = args.dir / f"{row['corpus']}.txt"
                row["dask_counting"] = dask_counting(text, Path(scratch), args.memory)
            print(json.dumps(row["dask_counting"]["speedup"]), flush=True)
    report = finish_report(info, rows, "stanford")
    publish(report, markdown(report), args.json)


def markdown(report: dict) -> str:
    gb = 1 << 30
    info = report["info"]
    lines = [header_line(info), "",
             "| tokens | ours wall s | ours CPU s | ours peak RSS GB | cooccur wall s | cooccur CPU s "
             "| cooccur peak RSS GB | wall ratio | CPU ratio | nonzeros ours / Stanford |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for r in report["rows"]:
        o, s = r["ours"], r.get("stanford")
        if "stanford_failed" in r:
            lines.append(f"| {r['tokens'] / 1e6:.1f}M | {o['wall']:.1f} | {o['cpu']:.1f} | {o['peak_rss'] / gb:.2f} | "
                         f"crashed: {r['stanford_failed'][:60]} | | | | | {o['nnz']:,} / - |")
            continue
        lines.append(f"| {r['tokens'] / 1e6:.1f}M | {o['wall']:.1f} | {o['cpu']:.1f} | {o['peak_rss'] / gb:.2f} | "
                     + (f"{s['wall']:.1f} | {s['cpu']:.1f} | {s['peak_rss'] / gb:.2f} | {o['wall'] / s['wall']:.2f}x "
                        f"| {o['cpu'] / s['cpu']:.2f}x | {o['nnz']:,} / {s['nnz']:,} |" if s else "- | - | - | - | - | - |"))
    for key in ("k_ours", "k_ours_cpu", "k_stanford", "k_stanford_cpu"):
        if key in report:
            lines.append(f"\n{key} = {report[key]:.2f}")
    for r in report["rows"]:
        if "dask_counting" in r:
            best = r["dask_counting"]["best"]
            lines.append(f"\nDask counting on {r['tokens'] / 1e6:.1f}M tokens (best of three, alternated): 1 worker "
                         f"{best[1]['wall']:.1f} s, 2 workers {best[2]['wall']:.1f} s: "
                         f"{r['dask_counting']['speedup']:.2f}x the throughput")
    return "\n".join(lines)


if __name__ == "__main__":
    main()

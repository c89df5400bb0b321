"""How cost grows with the work, n-gram part of issue 11 (``benchmarks/scale.py``).

For corpora of 4M, 16M, 64M tokens from ``../shared/bench/make_scale_corpus.py`` (kept under
/tmp), side by side in one run, end to end as a user runs them (reading text, writing ARPA):

* order-5 modified Kneser-Ney: ``wordnet-lm ngram --memory 2G`` against ``lmplz -o 5 -S 2G``
  (KenLM built from source, a peer only); wall time, CPU time (user + system of the whole
  process tree) and peak RSS of the whole process tree (sampled every 0.1 s);
* encoding throughput (``wordnet-lm corpus encode``, tokens per second);
* counting on Dask: map (shards -> runs) + reduce (ranges -> tables) on a LocalCluster of 1
  and of 2 worker processes, same encoded corpus, alternated, best of three: throughput ratio
  (``benchmarks/scale_dask.py``, which also runs on its own).

The time exponent k is the least-squares slope of log(time) on log(tokens).

    python benchmarks/scale.py --lmplz /tmp/kenlm/build/bin/lmplz --sizes 4e6 16e6 64e6 [--skip-dask]
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def shared_dir() -> Path:
    env = os.environ.get("WORDNET_LM_SHARED")
    return Path(env) if env else ROOT.parent / "shared"


def measure(command: list[str], stdin: Path | None = None, stdout: Path | None = None, env=None) -> dict:
    """Wall and CPU seconds and peak RSS (sum over the process tree, sampled) of ``command``."""
    started = time.perf_counter()
    fin = open(stdin, "rb") if stdin else None
    fout = open(stdout, "wb") if stdout else subprocess.DEVNULL
    proc = psutil.Popen(command, stdin=fin, stdout=fout, stderr=subprocess.PIPE, env=env, cwd=ROOT)
    peak, cpu = 0, {}
    while proc.poll() is None:
        try:
            tree = [proc] + proc.children(recursive=True)
            rss = 0
            for p in tree:
                try:
                    rss += p.memory_info().rss
                    t = p.cpu_times()
                    cpu[p.pid] = t.user + t.system + t.children_user + t.children_system
                except psutil.Error:
                    pass
            peak = max(peak, rss)
        except psutil.Error:
            pass
        time.sleep(0.1)
    wall = time.perf_counter() - started
    err = proc.stderr.read().decode(errors="replace")
    if fin:
        fin.close()
    if stdout:
        fout.close()
    if proc.returncode != 0:
        raise SystemExit(f"{command[0]} failed ({proc.returncode}): {err[-2000:]}")
    return {"wall": wall, "cpu_sampled": sum(cpu.values()), "peak_rss": peak, "stderr": err[-600:]}


def with_cpu(command, **kw) -> dict:
    """``measure`` with CPU time from the rusage of reaped children (exact, the whole tree)."""
    import resource

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    out = measure(command, **kw)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    out["cpu"] = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return out


def machine_info() -> dict:
    """Date, nproc, versions and the load average before a run: the head of every report."""
    return {"date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
            "nproc": os.cpu_count(), "python": platform.python_version(), "numpy": np.__version__,
            "load_before": os.getloadavg()}


def scale_corpus(directory: Path, size: float) -> tuple[str, Path]:
    """The realistic corpus of ``size`` tokens in ``directory`` (made by shared/bench/make_scale_corpus.py once)."""
    name = f"c{int(size / 1e6)}M"
    text = directory / f"{name}.txt"
    if not text.exists():
        subprocess.run([sys.executable, str(shared_dir() / "bench" / "make_scale_corpus.py"), str(text), str(size)],
                       check=True)
    return name, text


def finish_report(info: dict, rows: list[dict], peer: str) -> dict:
    """The report of a size sweep: the machine's state after it, and the exponents k of time ~ tokens^k
    for ours and the ``peer`` (wall and CPU), fitted where there are several sizes."""
    info["load_after"] = os.getloadavg()
    report = {"info": info, "rows": rows}
    tokens = [r["tokens"] for r in rows]
    if len(rows) > 1:
        report["k_ours"] = fit_exponent(tokens, [r["ours"]["wall"] for r in rows])
        report["k_ours_cpu"] = fit_exponent(tokens, [r["ours"]["cpu"] for r in rows])
        if all(peer in r for r in rows):
            report[f"k_{peer}"] = fit_exponent(tokens, [r[peer]["wall"] for r in rows])
            report[f"k_{peer}_cpu"] = fit_exponent(tokens, [r[peer]["cpu"] for r in rows])
    return report


def publish(report: dict, table: str, json_path: Path | None) -> None:
    """Print a benchmark's markdown table and keep its report as JSON if asked."""
    print(table)
    if json_path:
        json_path.write_text(json.dumps(report, indent=1))


def header_line(info: dict) -> str:
    """The machine and conditions line every table of these benchmarks starts with."""
    return (f"{info['date']}, nproc {info['nproc']}, Python {info['python']}, NumPy {info['numpy']}, load average "
            f"before {info['load_before'][0]:.1f} / after {info['load_after'][0]:.1f}")


def fit_exponent(tokens: list[float], seconds: list[float]) -> float:
    return float(np.polyfit(np.log(tokens), np.log(seconds), 1)[0])


def dask_counting(text: Path, scratch: Path, memory: str, order: int) -> dict:
    """1 against 2 Dask workers counting n-grams, alternated, best of three (``benchmarks/scale_dask.py``)."""
    from scale_dask import compare

    return compare("ngram", text, scratch, memory, order=order)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=float, nargs="+", default=[4e6, 16e6, 64e6])
    parser.add_argument("--dir", type=Path, default=Path("/tmp/scale_ngram"))
    parser.add_argument("--lmplz", type=Path, default=None, help="KenLM's lmplz binary (skipped if absent)")
    parser.add_argument("--memory", default="2G")
    parser.add_argument("--order", type=int, default=5)
    parser.add_argument("--dask-size", type=float, default=16e6, help="corpus size of the Dask 1-vs-2 comparison")
    parser.add_argument("--skip-dask", action="store_true", help="only the single-machine comparison with lmplz")
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    args.dir.mkdir(parents=True, exist_ok=True)
    rows = []
    info = machine_info()
    for size in args.sizes:
        name, text = scale_corpus(args.dir, size)
        row = {"corpus": name, "bytes": text.stat().st_size}
        with tempfile.TemporaryDirectory(dir=args.dir) as scratch:
            scratch = Path(scratch)
            enc = with_cpu([sys.executable, "-m", "wordnet_lm", "corpus", "encode", str(text), "--out",
                            str(scratch / "enc")])
            header = json.loads((scratch / "enc" / "header.json").read_text())
            row["tokens"] = header["n_tokens"]
            row["encode"] = {k: enc[k] for k in ("wall", "cpu", "peak_rss")}
            ours = with_cpu([sys.executable, "-m", "wordnet_lm", "ngram", "--train", str(text), "--order",
                             str(args.order), "--arpa", str(scratch / "ours.arpa"), "--memory", args.memory,
                             "--temp", str(scratch)])
            row["ours"] = {k: ours[k] for k in ("wall", "cpu", "peak_rss")}
            row["ours"]["stages"] = ours["stderr"].strip().splitlines()[-1]
            row["ours"]["arpa_bytes"] = (scratch / "ours.arpa").stat().st_size
            (scratch / "ours.arpa").unlink()
            if args.lmplz and args.lmplz.exists():
                kenlm = with_cpu([str(args.lmplz), "-o", str(args.order), "-S", args.memory, "-T", str(scratch),
                                  "--discount_fallback"], stdin=text, stdout=scratch / "kenlm.arpa")
                row["lmplz"] = {k: kenlm[k] for k in ("wall", "cpu", "peak_rss")}
                row["lmplz"]["arpa_bytes"] = (scratch / "kenlm.arpa").stat().st_size
                (scratch / "kenlm.arpa").unlink()
            if not args.skip_dask and abs(size - args.dask_size) < 1:
                row["dask_counting"] = dask_counting(text, scratch, args.memory, args.order)
        rows.append(row)
        print(json.dumps(row), flush=True)
    report = finish_report(info, rows, "lmplz")
    publish(report, markdown(report), args.json)


def markdown(report: dict) -> str:
    gb = 1 << 30
    lines = [header_line(report["info"]), "",
             "| tokens | ours wall s | ours CPU s | ours peak RSS GB | lmplz wall s | lmplz CPU s | lmplz peak RSS GB "
             "| wall ratio | CPU ratio | encode M tok/s |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for r in report["rows"]:
        o, k = r["ours"], r.get("lmplz")
        ratios = f"{o['wall'] / k['wall']:.2f}x | {o['cpu'] / k['cpu']:.2f}x" if k else "- | -"
        lines.append(f"| {r['tokens'] / 1e6:.1f}M | {o['wall']:.1f} | {o['cpu']:.1f} | {o['peak_rss'] / gb:.2f} | "
                     + (f"{k['wall']:.1f} | {k['cpu']:.1f} | {k['peak_rss'] / gb:.2f} | " if k else "- | - | - | ")
                     + f"{ratios} | {r['tokens'] / r['encode']['wall'] / 1e6:.2f} |")
    for key in ("k_ours", "k_ours_cpu", "k_lmplz", "k_lmplz_cpu"):
        if key in report:
            lines.append(f"\n{key} = {report[key]:.2f}")
    for r in report["rows"]:
        if "dask_counting" in r:
            best = r["dask_counting"]["best"]
            lines.append(f"\nDask counting on {r['tokens'] / 1e6:.1f}M tokens (best of three, alternated): 1 worker "
                         f"{best[1]['wall']:.1f} s, 2 workers {best[2]['wall']:.1f} s: "
                         f"{r['dask_counting']['speedup']:.2f}x the throughput")
        lines.append(f"\n{r['corpus']} stages: {r['ours']['stages']}")
    return "\n".join(lines)


if __name__ == "__main__":
    main()

"""Our n-gram models against KenLM on ``../shared/corpora/brown-bengio`` (issue 3, benchmark).

1. Modified Kneser-Ney, orders 2-5, in KenLM's protocol (``bench/reference.md``): ``<unk>`` of
   the text renamed to an ordinary word ``__unk__``; test words unseen in training are OOVs
   scored with the model's own ``<unk>`` ("incl."), left out ("excl."), or mapped to
   ``__unk__`` ("closed").  Target: within 0.5 % of KenLM's ``query`` at every order in all
   three conventions.
2. Time of counting + estimation at order 5 against ``lmplz -o 5 -S 1G`` (1.40 s in
   reference.md; run side by side, interleaved, when ``lmplz`` is on the PATH).  Each timed
   run is a fresh process, which also reports its peak memory.  Target: at most 3x KenLM.
3. The order-5 model exported as ARPA, read by the ``kenlm`` Python module: sentence and
   per-token scores against ours (target: 1e-4 in log10).
4. One table: every smoothing method's valid and test perplexity at orders 2-5 (the usual
   closed-vocabulary pipeline: ``<unk>`` is a word of the training text).

    python benchmarks/ngram_vs_kenlm.py                  # everything (~2-3 minutes)
    python benchmarks/ngram_vs_kenlm.py --skip-methods --rounds 5
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from wordnet_lm.ngram import SMOOTHING, ModifiedKneserNey, make_model, read_arpa  # noqa: E402
from wordnet_lm.text import Corpus, Vocab, load_corpus, read_sentences  # noqa: E402

# KenLM's figures for this exact split (bench/reference.md): order -> (train, valid incl, valid excl,
# test incl, test excl, test closed, lmplz wall seconds)
KENLM = {2: (93.10, 267.35, 235.85, 247.99, 221.31, 213.22, 0.32),
         3: (21.06, 254.27, 223.90, 236.29, 210.45, 203.63, 0.62),
         4: (10.65, 252.81, 222.62, 234.96, 209.27, 202.39, 0.96),
         5: (9.09, 252.44, 222.30, 234.59, 208.95, 202.05, 1.40)}
AGREEMENT = 0.005
TIME_RATIO_TARGET = 3.0
RENAMED_UNK = "__unk__"


def shared_dir() -> Path:
    env = os.environ.get("WORDNET_LM_SHARED")
    return Path(env) if env else ROOT.parent / "shared"


def split_dir() -> Path:
    return shared_dir() / "corpora" / "brown-bengio"


# ---------------------------------------------------------------------------- KenLM's protocol
def kenlm_protocol() -> tuple[Corpus, dict[str, Corpus], Vocab]:
    """train, {valid, test, test_closed} with <unk> renamed to __unk__, and the training vocab."""
    def read(name):
        return [[RENAMED_UNK if w == "<unk>" else w for w in s] for s in read_sentences(split_dir() / f"{name}.txt")]

    train = read("train")
    vocab = Vocab.build(train)
    valid, test = vocab.encode(read("valid")), vocab.encode(read("test"))
    closed = Corpus(np.where(test.ids == 0, vocab.id(RENAMED_UNK), test.ids).astype(np.int32), test.offsets)
    return vocab.encode(train), {"valid": valid, "test": test, "test_closed": closed}, vocab


def exactness_table() -> tuple[str, bool, ModifiedKneserNey, dict, Vocab]:
    train, held, vocab = kenlm_protocol()
    lines = ["| N | | train | valid incl | valid excl | test incl | test excl | test closed |",
             "|---|---|---|---|---|---|---|---|"]
    worst = 0.0
    model = None
    for order in (2, 3, 4, 5):
        model = ModifiedKneserNey(order).fit(train, vocab)
        valid, test, closed = (model.perplexity(held[k]) for k in ("valid", "test", "test_closed"))
        ours = (model.perplexity(train).perplexity, valid.perplexity, valid.perplexity_excl_oov,
                test.perplexity, test.perplexity_excl_oov, closed.perplexity)
        ref = KENLM[order][:6]
        diffs = [abs(o / r - 1) for o, r in zip(ours, ref)]
        worst = max(worst, max(diffs))
        lines.append(f"| {order} | ours | " + " | ".join(f"{x:.2f}" for x in ours) + " |")
        lines.append(f"| {order} | KenLM | " + " | ".join(f"{x:.2f}" for x in ref) + " |")
        lines.append(f"| {order} | rel. diff | " + " | ".join(f"{d:.1e}" for d in diffs) + " |")
        if order == 5:
            oov = (valid.n_oov, test.n_oov, test.n_predictions)
            discounts = model.discounts_[:, 1:]
            sizes = model.n_ngrams()
    ok = worst <= AGREEMENT
    lines.append("")
    lines.append(f"Largest relative difference: {worst:.2e} (target <= {AGREEMENT:.1%}: {'MET' if ok else 'MISSED'}).")
    lines.append(f"OOV predictions: valid {oov[0]:,}, test {oov[1]:,} of {oov[2]:,} (KenLM: 3,312 and 2,410 of 171,297).")
    lines.append("Order-5 n-grams: " + " / ".join(f"{s:,}" for s in sizes)
                 + " (KenLM: 17,131 / 282,346 / 585,165 / 705,162 / 712,781).")
    lines.append("Order-5 discounts D1/D2/D3+: " + "; ".join(f"order {n}: " + " / ".join(f"{d:.3f}" for d in row)
                                                           for n, row in enumerate(discounts, start=1)))
    return "\n".join(lines), ok, model, held, vocab


# ---------------------------------------------------------------------------- timing
def timed_fit_worker(order: int, ids_file: str) -> None:
    """In a fresh process: load the training ids, count + estimate (timed, peak RSS), then
    time reading the text into ids; print JSON."""
    with np.load(ids_file) as data:
        train = Corpus(data["ids"], data["offsets"])
        vocab = Vocab([f"w{i}" for i in range(int(data["vocab_size"]) - 3)])
    rss_before = peak_rss_mb()
    started = time.perf_counter()
    model = ModifiedKneserNey(order).fit(train, vocab)
    fit = time.perf_counter() - started
    peak = peak_rss_mb()
    model_mb = model.tables_.nbytes() / 2**20
    del model
    started = time.perf_counter()
    load_corpus(split_dir() / "train.txt")
    read = time.perf_counter() - started
    print(json.dumps({"read": read, "fit": fit, "peak_rss_mb": peak, "rss_before_fit_mb": rss_before,
                      "model_mb": model_mb}))


def peak_rss_mb() -> float:
    """This process's peak resident memory: VmHWM (Linux; unlike ru_maxrss it does not carry
    the parent's high-water mark over fork and exec), else ru_maxrss."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_ours(order: int, ids_file: Path) -> dict:
    out = subprocess.run([sys.executable, __file__, "--worker", str(order), str(ids_file)], check=True,
                         capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def run_lmplz(order: int, renamed_train: Path) -> float:
    with open(renamed_train, "rb") as source, open(os.devnull, "wb") as sink:
        started = time.perf_counter()
        subprocess.run(["lmplz", "-o", str(order), "-S", "1G"], stdin=source, stdout=sink,
                       stderr=subprocess.DEVNULL, check=True)
        return time.perf_counter() - started


def timing_table(rounds: int, order: int = 5) -> tuple[str, bool]:
    lmplz = shutil.which("lmplz")
    renamed = None
    if lmplz:
        renamed = Path(tempfile.mkstemp(suffix=".txt")[1])
        text = (split_dir() / "train.txt").read_text(encoding="utf-8")
        renamed.write_text(text.replace("<unk>", RENAMED_UNK), encoding="utf-8")
    train, vocab = load_corpus(split_dir() / "train.txt")
    ids_file = Path(tempfile.mkstemp(suffix=".npz")[1])
    np.savez(ids_file, ids=train.ids, offsets=train.offsets, vocab_size=len(vocab))
    ours, theirs = [], []
    for _ in range(rounds):  # interleaved: background load hits both alike
        ours.append(run_ours(order, ids_file))
        if renamed:
            theirs.append(run_lmplz(order, renamed))
    ids_file.unlink()
    if renamed:
        renamed.unlink()
    fit = statistics.median(r["fit"] for r in ours)
    read = statistics.median(r["read"] for r in ours)
    kenlm = statistics.median(theirs) if theirs else KENLM[order][6]
    source = f"lmplz measured here, median of {rounds}" if theirs else "reference.md (lmplz is not installed here)"
    ratio = fit / kenlm
    total_ratio = (fit + read) / kenlm
    ok = ratio <= TIME_RATIO_TARGET
    runs = ", ".join(f"{r['fit']:.2f}" for r in ours)
    lines = [f"| order {order} | seconds (median of {rounds} fresh processes) |", "|---|---|",
             f"| ours: count + estimate | {fit:.2f} (runs: {runs}) |",
             f"| ours: reading the text into ids | {read:.2f} |",
             f"| KenLM lmplz -S 1G (reads, counts, estimates, writes ARPA) | {kenlm:.2f} ({source}) |",
             "",
             f"Ratio ours / KenLM: {ratio:.2f} for counting + estimation ({total_ratio:.2f} including reading); "
             f"target <= {TIME_RATIO_TARGET:.0f}x: {'MET' if ok else 'MISSED'}.",
             f"Peak memory while counting + estimating (peak RSS of the process): "
             f"{statistics.median(r['peak_rss_mb'] for r in ours):.0f} MB, of which "
             f"{statistics.median(r['rss_before_fit_mb'] for r in ours):.0f} MB before fitting (Python, NumPy, the "
             f"corpus ids); the fitted tables hold {ours[0]['model_mb']:.0f} MB."]
    return "\n".join(lines), ok


# ---------------------------------------------------------------------------- ARPA vs kenlm
def arpa_check(model: ModifiedKneserNey, test: Corpus, vocab: Vocab) -> tuple[str, bool | None]:
    try:
        import kenlm
    except ImportError:
        return "ARPA read by kenlm: skipped: kenlm not installed", None
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "mkn5.arpa"
        started = time.perf_counter()
        model.to_arpa(path)
        written = time.perf_counter() - started
        size = path.stat().st_size / 2**20
        started = time.perf_counter()
        read_arpa(path)
        ours_read = time.perf_counter() - started
        started = time.perf_counter()
        lm = kenlm.Model(str(path))
        kenlm_read = time.perf_counter() - started
    sentences = [" ".join(vocab.decode(test.sentence(k))) for k in range(test.n_sentences)]
    per_token = np.concatenate([[s[0] for s in lm.full_scores(x, bos=True, eos=True)] for x in sentences])
    per_sentence = np.array([lm.score(x, bos=True, eos=True) for x in sentences])
    ours_token = model.token_logprobs(test) / np.log(10)
    ours_sentence = model.sentence_logprobs(test) / np.log(10)
    token_diff = float(np.max(np.abs(per_token - ours_token)))
    sentence_diff = float(np.max(np.abs(per_sentence - ours_sentence)))
    ok = token_diff <= 1e-4 and sentence_diff <= 1e-4
    return (f"ARPA (order 5, {size:.0f} MB, written in {written:.1f} s) read by the kenlm module: on the "
            f"{test.n_sentences:,} test sentences the largest difference in log10 is {token_diff:.1e} per token and "
            f"{sentence_diff:.1e} per sentence (kenlm sums in float32); target 1e-4: {'MET' if ok else 'MISSED'}.\n"
            f"Time to load that ARPA file: ours (read_arpa) {ours_read:.1f} s, kenlm.Model {kenlm_read:.1f} s.", ok)


# ---------------------------------------------------------------------------- all methods
def methods_table(orders=(2, 3, 4, 5)) -> str:
    train, vocab = load_corpus(split_dir() / "train.txt")
    valid, _ = load_corpus(split_dir() / "valid.txt", vocab=vocab)
    test, _ = load_corpus(split_dir() / "test.txt", vocab=vocab)
    lines = ["| method | " + " | ".join(f"n={n} valid / test" for n in orders) + " | fit s (n=5) |",
             "|---|" + "---|" * (len(orders) + 1)]
    for name in SMOOTHING:
        cells, seconds = [], 0.0
        for order in orders:
            started = time.perf_counter()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                model = make_model(name, order).fit(train, vocab)
            seconds = time.perf_counter() - started
            with np.errstate(over="ignore"):
                cells.append(f"{model.perplexity(valid).perplexity:.1f} / {model.perplexity(test).perplexity:.1f}")
        note = f" (weights {', '.join(f'{w:.2f}' for w in model.lambdas_)})" if name == "jelinek-mercer" else ""
        lines.append(f"| {name}{note} | " + " | ".join(cells) + f" | {seconds:.2f} |")
    lines.append("")
    lines.append(f"Closed vocabulary: <unk> is a word of the training text and unseen test words map to it "
                 f"({len(vocab):,} entries); add-k uses k = 1; jelinek-mercer fits its weights on the last 10% "
                 f"of the training sentences (deleted interpolation); mle is infinite wherever a test word never "
                 f"followed its (seen) context in training.")
    return "\n".join(lines)


def header() -> str:
    import scipy
    try:
        import kenlm  # noqa: F401
        kenlm_version = "installed"
    except ImportError:
        kenlm_version = "not installed"
    return (f"date {datetime.datetime.now():%Y-%m-%d %H:%M}, nproc {os.cpu_count()}, load average "
            f"{os.getloadavg()[0]:.1f}, Python {platform.python_version()}, NumPy {np.__version__}, "
            f"SciPy {scipy.__version__}, kenlm module {kenlm_version}, lmplz {'on PATH' if shutil.which('lmplz') else 'absent'}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=3, help="timed runs (default 3)")
    parser.add_argument("--skip-methods", action="store_true", help="skip the table of all smoothing methods")
    parser.add_argument("--worker", nargs=2, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker is not None:
        timed_fit_worker(int(args.worker[0]), args.worker[1])
        return 0
    if not split_dir().is_dir():
        print(f"{split_dir()} not found", file=sys.stderr)
        return 2
    print(header())
    print("\n## 1. Modified Kneser-Ney vs KenLM (perplexity)\n")
    table, exact, model, held, vocab = exactness_table()
    print(table)
    print("\n## 2. Speed at order 5\n")
    timing, fast = timing_table(args.rounds)
    print(timing)
    print("\n## 3. ARPA export read by KenLM\n")
    arpa, arpa_ok = arpa_check(model, held["test"], vocab)
    print(arpa)
    if not args.skip_methods:
        print("\n## 4. Every smoothing method (perplexity, closed vocabulary)\n")
        print(methods_table())
    return 0 if exact and fast and arpa_ok is not False else 1


if __name__ == "__main__":
    sys.exit(main())

"""The neural LM with the adaptive softmax on a larger vocabulary (issue 12, section 3).

``../shared/corpora/nltk-mix.txt`` (190,092 lines, 3.85M tokens) split into blocks of 1,000
lines: block k is validation if k % 20 == 18, test if k % 20 == 19, else training (90/5/5,
contiguous blocks spread over the file; :func:`nplm_output.nltk_mix_split`).  Words seen fewer
than 5 times in training become ``<unk>`` (about 30k types kept, the embedding benchmarks'
vocabulary).  Trains the adaptive-softmax NPLM for a time budget, our modified Kneser-Ney
5-gram on the same split, and prints one table with the mixture (and the cache mixture).

    python benchmarks/nplm_nltk_mix.py --max-time 900
"""

from __future__ import annotations

import argparse
import datetime
import json
import math
import os
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from nplm_output import nltk_mix_split, shared_dir  # noqa: E402

from wordnet_lm.compare import ngram_model  # noqa: E402
from wordnet_lm.nplm import NPLM, TrainConfig  # noqa: E402
from wordnet_lm.nplm.cache import cache_components, describe_caches, fit_cache_mixture  # noqa: E402
from wordnet_lm.nplm.cache import prediction_stream  # noqa: E402
from wordnet_lm.nplm.mixture import fit_mixture_weights, mix_many  # noqa: E402


def ppl(logprobs) -> float:
    return math.exp(-float(np.mean(logprobs)))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--output", default="adaptive")
    ap.add_argument("--max-time", type=float, default=900.0)
    ap.add_argument("--epochs", type=float, default=10)
    ap.add_argument("--evals-per-epoch", type=int, default=4)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--min-count", type=int, default=5)
    ap.add_argument("--cutoffs", type=lambda s: [int(c) for c in s.split(",")], default=None)
    ap.add_argument("--projections", type=lambda s: [int(w) for w in s.split(",")], default=None,
                    help="adaptive softmax: each cluster's projection width (default from |V|)")
    ap.add_argument("--dense-embeddings", action="store_true", help="dense AdamW on the embedding table")
    ap.add_argument("--checkpoint", help="checkpoint file (a run continues from it with --resume)")
    ap.add_argument("--resume", action="store_true")
    ap.add_argument("--save-model")
    args = ap.parse_args(argv)
    load_start = os.getloadavg()[0]
    data, vocab = nltk_mix_split(shared_dir() / "corpora" / "nltk-mix.txt", args.min_count)
    train, valid, test = data["train"], data["valid"], data["test"]
    sizes = {k: v.n_tokens + v.n_sentences for k, v in data.items()}
    print(f"nltk-mix: |V| {len(vocab):,}; predictions {sizes}", flush=True)

    start = time.perf_counter()
    ngram = ngram_model("modified-kn", 5).fit(train, vocab)
    ng_seconds = time.perf_counter() - start
    ng_valid, ng_test = ngram.token_logprobs(valid), ngram.token_logprobs(test)
    print(f"MKN-5: valid {ppl(ng_valid):.2f}, test {ppl(ng_test):.2f} ({ng_seconds:.0f} s)", flush=True)

    model = NPLM(order=5, embed_dim=60, hidden=100, dropout=0.25, output=args.output, cutoffs=args.cutoffs,
                 projections=args.projections)
    config = TrainConfig(max_epochs=args.epochs, evals_per_epoch=args.evals_per_epoch, max_time=args.max_time,
                         threads=args.threads, lazy_embeddings=not args.dense_embeddings)
    cpu = time.process_time()
    model.fit(train, vocab, valid, config, progress=False, checkpoint=args.checkpoint, resume=args.resume,
              callback=lambda r: print(json.dumps({**r, "load1": os.getloadavg()[0]}), flush=True))
    cpu = time.process_time() - cpu
    if args.save_model:
        model.save(args.save_model)
    nn_valid, nn_test = model.token_logprobs(valid), model.token_logprobs(test)
    weights = fit_mixture_weights([nn_valid, ng_valid])
    sizes, cache_weights = fit_cache_mixture([nn_valid, ng_valid], prediction_stream(valid))
    rows = [("modified KN 5-gram (ours)", ppl(ng_valid), ppl(ng_test)),
            (f"neural LM ({model.output_layer().describe()})", ppl(nn_valid), ppl(nn_test)),
            (f"neural LM + MKN-5 (weights {weights[0]:.2f}/{weights[1]:.2f})",
             ppl(mix_many([nn_valid, ng_valid], weights)), ppl(mix_many([nn_test, ng_test], weights)))]
    cached = [mix_many([nn, ng, *cache_components(prediction_stream(c), sizes)], cache_weights)
              for nn, ng, c in ((nn_valid, ng_valid, valid), (nn_test, ng_test, test))]
    rows.append((f"neural LM + MKN-5 + {describe_caches(sizes)} "
                 f"(weights {'/'.join(f'{w:.2f}' for w in cache_weights)})", ppl(cached[0]), ppl(cached[1])))
    history = model.history_
    print()
    print(f"date {datetime.date.today()}, nproc {os.cpu_count()}, load average at start {load_start:.1f}, "
          f"at end {os.getloadavg()[0]:.1f}; {model!r}; epochs {history[-1]['epoch'] if history else 0}, "
          f"training {history[-1]['seconds'] / 60 if history else 0:.1f} min wall, {cpu / 60:.1f} min CPU "
          f"(threads {args.threads})")
    print()
    print("| model | valid ppl | test ppl | x MKN-5 (test) |")
    print("|---|---:|---:|---:|")
    for name, v, t in rows:
        print(f"| {name} | {v:.2f} | {t:.2f} | {t / rows[0][2]:.3f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

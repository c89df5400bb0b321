"""The neural probabilistic language model of Bengio et al. (2003).

The ``n - 1`` previous words are looked up in one shared embedding table ``C`` and
concatenated into ``e``; a tanh hidden layer and a softmax over the vocabulary follow, with
optional direct connections from ``e`` to the output::

    logits = b + e W + U tanh(d + e H)          # W: "direct", may be off; U, H: hidden h > 0

Parameters live in one flat dict (``"embed.C"``, ``"hidden.W"``, ``"hidden.b"``,
``"output.W"``, ``"output.b"``, ``"direct.W"``), differentiated by :mod:`wordnet_lm.autodiff`
and updated in place by a :mod:`wordnet_lm.nn` optimizer.  The output layer and the softmax
cross-entropy are one fused primitive with an in-place backward.
"""

from __future__ import annotations

import math
import os
from typing import Any, Mapping, Sequence

import numpy as np

from wordnet_lm.errors import ModelFileError, WordnetLMError
from wordnet_lm.io import load_npz, save_npz
from wordnet_lm.nn import Embedding, Linear, dropout, linear_softmax_cross_entropy
from wordnet_lm.nn.functional import dropout_mask
from wordnet_lm.nn.fused_tanh import tanh_layer
from wordnet_lm.autodiff import numpy as anp
from wordnet_lm.nplm.config import MODEL_KIND, OUTPUTS
from wordnet_lm.nplm.outputs import AdaptiveOutput, OutputLayer, legacy_layout, make_output, resolve_output
from wordnet_lm.nplm.train import train as train_model
from wordnet_lm.nplm.windows import BatchWindows
from wordnet_lm.scoring import perplexity
from wordnet_lm.text.vocab import BOS_ID, Corpus, Vocab

Params = dict[str, np.ndarray]

FORMAT_VERSION = 1
EVAL_BATCH = 1024  # rows of logits (B x V float32) computed at once when scoring


class NPLM:
    """Bengio-style neural language model (an estimator: hyper-parameters in, ``fit`` learns).

    Parameters
    ----------
    order : int, default 5
        ``n``: the model predicts a word from the ``n - 1`` words before it (``<s>``-padded).
    embed_dim : int, default 60
        ``m``, the size of a word's embedding (the same table for every context position).
    hidden : int, default 100
        ``h``, width of the tanh hidden layer; 0 for none (then ``direct`` must be on).
    direct : bool, default False
        Direct connections ``W`` from the concatenated embeddings to the output.
    dropout : float, default 0.0
        Dropout rate on the concatenated embeddings and on the hidden layer (training only).
    embed_std : float, default 0.1
        Standard deviation of the initial embeddings, ``N(0, embed_std^2)``.  Small values
        (rather than PyTorch's 1) let rare words start near the average word instead of at
        random points that few updates ever move (on Brown: test perplexity 172 instead of
        188 with the same budget).
    seed : int, default 0
        Seeds the initial parameters, the shuffling and the dropout masks.
    output : {"auto", "full", "adaptive", "class"}, default "auto"
        The softmax (:mod:`wordnet_lm.nplm.outputs`): full, adaptive (Grave et al. 2017) or
        class-factored; ``"auto"`` is full below 1,500 words and adaptive from there on.
    cutoffs : sequence of int, optional
        Adaptive softmax: the head's words and the cluster edges (default from the vocabulary
        size: ``1000, 5000`` below 20,000 words, ``250, 500, 1000, ...`` from there;
        :func:`~wordnet_lm.nplm.outputs.default_cutoffs`).
    classes : int, optional
        Class-factored softmax: the number of frequency bins (default ``sqrt(V) / 3``).
    projections : sequence of int, optional
        Adaptive softmax: the width each tail cluster projects the hidden layer to, one per
        cluster; ``hidden`` itself means no projection (default: ``h / 4^i`` below 20,000
        words, from there ``h * 1000 / rank of the cluster's last word``, at most ``h``;
        :func:`~wordnet_lm.nplm.outputs.default_projections`).

    Attributes
    ----------
    vocab_ : Vocab
        The vocabulary (ids of the softmax), set by ``fit`` or ``load``.
    params_ : dict of str to float32 array
        The trained parameters (the best on validation data, if any was given).
    history_ : list of dict
        One record per validation (epoch, lr, train loss, valid perplexity, seconds).
    """

    KIND = MODEL_KIND  # the "kind" of its files

    def __init__(self, order: int = 5, embed_dim: int = 60, hidden: int = 100, direct: bool = False,
                 dropout: float = 0.0, embed_std: float = 0.1, seed: int = 0, output: str = "auto",
                 cutoffs: Sequence[int] | None = None, classes: int | None = None,
                 projections: Sequence[int] | None = None) -> None:
        self.order, self.embed_dim, self.hidden = order, embed_dim, hidden
        self.direct, self.dropout, self.embed_std, self.seed = direct, dropout, embed_std, seed
        self.output = output
        self.cutoffs = None if cutoffs is None else [int(c) for c in cutoffs]
        self.classes = classes
        self.projections = None if projections is None else [int(w) for w in projections]

    # ------------------------------------------------------------------ hyper-parameters
    def get_params(self) -> dict[str, Any]:
        """The hyper-parameters (constructor arguments), JSON-able."""
        return {"order": self.order, "embed_dim": self.embed_dim, "hidden": self.hidden,
                "direct": self.direct, "dropout": self.dropout, "embed_std": self.embed_std, "seed": self.seed,
                "output": self.output, "cutoffs": self.cutoffs, "classes": self.classes,
                "projections": self.projections}

    def check_params(self) -> None:
        """Raise :class:`WordnetLMError` on hyper-parameters that make no model."""
        if int(self.order) != self.order or self.order < 2:
            raise WordnetLMError(f"order must be an integer >= 2, got {self.order}")
        if int(self.embed_dim) != self.embed_dim or self.embed_dim < 1:
            raise WordnetLMError(f"embed_dim must be an integer >= 1, got {self.embed_dim}")
        if int(self.hidden) != self.hidden or self.hidden < 0:
            raise WordnetLMError(f"hidden must be an integer >= 0, got {self.hidden}")
        if self.hidden == 0 and not self.direct:
            raise WordnetLMError("a model without hidden layer needs direct connections (direct=True)")
        if not 0.0 <= self.dropout < 1.0:
            raise WordnetLMError(f"dropout must be in [0, 1), got {self.dropout}")
        if not (self.embed_std > 0 and math.isfinite(self.embed_std)):
            raise WordnetLMError(f"embed_std must be a positive number, got {self.embed_std}")
        if self.output not in OUTPUTS:
            raise WordnetLMError(f"output must be one of {', '.join(OUTPUTS)}, got {self.output!r}")
        if self.output in ("adaptive", "class") and (self.direct or not self.hidden):
            raise WordnetLMError(f"the {self.output} softmax reads the hidden layer: it needs hidden > 0 and "
                                 "no direct connections")
        if self.classes is not None and (int(self.classes) != self.classes or self.classes < 1):
            raise WordnetLMError(f"classes must be a positive integer, got {self.classes}")
        if self.projections is not None and self.output in ("full", "class"):
            raise WordnetLMError(f"projections are widths of the adaptive softmax's clusters, not of the "
                                 f"{self.output} softmax")

    @property
    def context_size(self) -> int:
        """``n - 1``, the number of context words."""
        return self.order - 1

    # ------------------------------------------------------------------ layers
    def output_layer(self, vocab_size: int | None = None) -> OutputLayer:
        """The output layer for ``vocab_size`` words (default: the trained vocabulary's); the
        class-factored one bins the vocabulary's counts (Zipf's law if the size differs)."""
        vocab = getattr(self, "vocab_", None)
        size = len(self._vocab()) if vocab_size is None else int(vocab_size)
        key = (size, self.output, tuple(self.cutoffs or ()), tuple(self.projections or ()), self.classes, id(vocab))
        cached = getattr(self, "_output_cache", None)
        if cached is None or cached[0] != key:
            kind = resolve_output(self.output, size, self.direct or not self.hidden)
            counts = vocab.counts if vocab is not None and len(vocab) == size else None
            layer = OutputLayer(self.hidden, size) if kind == "full" else \
                make_output(kind, self.hidden, size, counts, self.cutoffs, self.classes, self.projections)
            self._output_cache = cached = (key, layer)
        return cached[1]

    def _layers(self, vocab_size: int) -> dict[str, Any]:
        features = self.context_size * self.embed_dim
        layers: dict[str, Any] = {"embed": Embedding(vocab_size, self.embed_dim, std=self.embed_std, name="embed")}
        if self.hidden:
            layers["hidden"] = Linear(features, self.hidden, name="hidden")
            for layer in self.output_layer(vocab_size).layers():
                layers[layer.name] = layer
        if self.direct:
            layers["direct"] = Linear(features, vocab_size, bias=not self.hidden, name="direct")
        return layers

    def n_params(self, vocab_size: int) -> int:
        """How many numbers the parameters hold for a vocabulary of ``vocab_size`` (nothing allocated)."""
        total = 0
        for layer in self._layers(vocab_size).values():
            if isinstance(layer, Embedding):
                total += layer.num_embeddings * layer.dim
            else:
                total += layer.in_features * layer.out_features + (layer.out_features if layer.bias else 0)
        return total

    def init_params(self, vocab_size: int, dtype: Any = np.float32) -> Params:
        """Fresh parameters for a vocabulary of ``vocab_size``, drawn from ``seed``.

        Embeddings ``N(0, embed_std^2)``, weights and biases ``U(-1/sqrt(fan_in), 1/sqrt(fan_in))``
        (PyTorch's default for ``nn.Linear``).
        """
        self.check_params()
        rng = np.random.default_rng([self.seed, 0])
        params: Params = {}
        for layer in self._layers(vocab_size).values():
            params.update(layer.init(rng, dtype))
        return params

    # ------------------------------------------------------------------ forward
    def _features(self, params: Mapping[str, Any], contexts: np.ndarray, training: bool,
                  rng: np.random.Generator | None) -> tuple[Any, Any]:
        """``(e, t)``: the concatenated embeddings and the hidden activations (None if h = 0)."""
        vocab_size = len(params["embed.C"])
        e = Embedding(vocab_size, self.embed_dim, name="embed").apply(params, contexts)
        if self.hidden and not self.direct:  # the hidden layer and its dropouts as one primitive
            masks = (None, None)
            if training and self.dropout:
                dtype = np.result_type(e)
                masks = (dropout_mask(np.shape(e), self.dropout, rng, dtype),
                         dropout_mask((np.shape(e)[0], self.hidden), self.dropout, rng, dtype))
            return e, tanh_layer(e, params["hidden.W"], params["hidden.b"], *masks)
        if training and self.dropout:
            e = dropout(e, self.dropout, rng)
        if not self.hidden:
            return e, None
        t = anp.tanh(e @ params["hidden.W"] + params["hidden.b"])
        if training and self.dropout:
            t = dropout(t, self.dropout, rng)
        return e, t

    def loss(self, params: Mapping[str, Any], contexts: np.ndarray, targets: np.ndarray, *,
             training: bool = False, rng: np.random.Generator | None = None, reduction: str = "mean") -> Any:
        """Cross-entropy (natural log) of ``targets`` (B,) given ``contexts`` (B, n-1).

        Differentiable with respect to ``params`` by :mod:`wordnet_lm.autodiff`; the output
        layer, softmax and loss are one fused primitive.  ``training`` turns dropout on
        (then ``rng`` draws the masks).  ``reduction`` as in
        :func:`wordnet_lm.nn.linear_softmax_cross_entropy`.
        """
        e, t = self._features(params, contexts, training, rng)
        if t is None:
            return linear_softmax_cross_entropy(e, params["direct.W"], params["direct.b"], targets, reduction)
        extra = [(e, params["direct.W"])] if self.direct else []
        return self.output_layer(len(params["embed.C"])).loss(params, t, targets, reduction, extra)

    def hidden_states(self, contexts: np.ndarray, params: Mapping[str, np.ndarray] | None = None) -> np.ndarray:
        """The output layer's inputs (B, h) for contexts (B, n-1): what a factorised softmax
        scores a level at a time (:mod:`wordnet_lm.nplm.sample`)."""
        params = self._trained(params)
        return self._features(params, np.asarray(contexts), False, None)[1]

    def logits(self, contexts: np.ndarray, params: Mapping[str, np.ndarray] | None = None) -> np.ndarray:
        """Unnormalised log-probabilities (B, V) of the next word after each context (B, n-1)
        (a factorised softmax gives the normalised ones)."""
        params = self._trained(params)
        e, t = self._features(params, np.asarray(contexts), False, None)
        if t is None:
            return e @ params["direct.W"] + params["direct.b"]
        output = self.output_layer(len(params["embed.C"]))
        if output.kind != "full":
            return output.log_probs(params, t)
        out = t @ params["output.W"]
        out += params["output.b"]
        if self.direct:
            out += e @ params["direct.W"]
        return out

    def log_probs(self, contexts: np.ndarray, params: Mapping[str, np.ndarray] | None = None) -> np.ndarray:
        """Natural-log next-word distributions (B, V) after each context (B, n-1), float64."""
        z = self.logits(contexts, params).astype(np.float64)
        z -= z.max(axis=1, keepdims=True)
        z -= np.log(np.exp(z).sum(axis=1, keepdims=True))
        return z

    # ------------------------------------------------------------------ scoring
    def target_logprobs(self, contexts: np.ndarray, targets: np.ndarray,
                        params: Mapping[str, np.ndarray] | None = None, batch_size: int = EVAL_BATCH) -> np.ndarray:
        """``log p(target | context)`` (natural log, float64) for each row."""
        params = self._trained(params)
        out = np.empty(len(targets), np.float64)
        for i in range(0, len(targets), batch_size):
            losses = self.loss(params, contexts[i:i + batch_size], targets[i:i + batch_size], reduction="none")
            out[i:i + batch_size] = -np.asarray(losses, np.float64)
        return out

    def token_logprobs(self, corpus: Corpus, params: Mapping[str, np.ndarray] | None = None) -> np.ndarray:
        """Natural-log probability of every prediction in ``corpus``: each token, then ``</s>``
        per sentence (the n-gram models' order and count).  The corpus must be encoded with
        this model's vocabulary (unseen words as ``<unk>``)."""
        windows = BatchWindows(corpus, self.order)  # built EVAL_BATCH rows at a time, not for the whole text
        return self.target_logprobs(windows.contexts, windows.targets, params)

    def perplexity(self, corpus: Corpus, params: Mapping[str, np.ndarray] | None = None) -> float:
        """``exp(-mean log p)`` over every prediction of ``corpus`` (tokens and ``</s>``)."""
        logprobs = self.token_logprobs(corpus, params)
        if len(logprobs) == 0:
            raise WordnetLMError("cannot compute perplexity of an empty corpus")
        return perplexity(logprobs)

    def context_ids(self, words: Sequence[str]) -> np.ndarray:
        """The ``n - 1`` context ids after ``words`` at the start of a sentence (``<s>``-padded);
        :class:`~wordnet_lm.errors.UnknownWordError` for a word not in the vocabulary."""
        vocab = self._vocab()
        ids = [BOS_ID] * self.context_size + [vocab.id(w) for w in words]
        return np.asarray(ids[len(ids) - self.context_size:], np.int32)

    # ------------------------------------------------------------------ training
    def fit(self, train: Corpus, vocab: Vocab, valid: Corpus | None = None, config: Any = None,
            **kwargs: Any) -> "NPLM":
        """Train on ``train`` (encoded with ``vocab``); see :func:`wordnet_lm.nplm.train.train`
        for ``config`` (a :class:`~wordnet_lm.nplm.config.TrainConfig`) and the keyword
        arguments (checkpoint, resume, progress)."""
        train_model(self, train, vocab, valid, config, **kwargs)
        return self

    # ------------------------------------------------------------------ files
    def metadata(self) -> dict[str, Any]:
        """The JSON part of a model file: kind, version, hyper-parameters, vocabulary, history,
        and the adaptive softmax's layout as built (defaults resolved: a later change of the
        defaults cannot change the layout a file is read with)."""
        vocab = self._vocab()
        meta = {"kind": MODEL_KIND, "format_version": FORMAT_VERSION, "hyperparameters": self.get_params(),
                "vocab": {"words": vocab.words, "counts": vocab.counts.tolist()},
                "training": getattr(self, "training_", {}), "history": getattr(self, "history_", [])}
        layer = self.output_layer() if self.hidden else None
        if isinstance(layer, AdaptiveOutput):
            meta["adaptive_layout"] = {"cutoffs": list(layer.cutoffs), "projections": list(layer.projections)}
        return meta

    def save(self, path: str | os.PathLike) -> None:
        """Write the model (parameters, vocabulary, hyper-parameters) to ``path`` (.npz, atomic)."""
        save_npz(path, self._trained(), self.metadata())

    @classmethod
    def load(cls, path: str | os.PathLike) -> "NPLM":
        """Read a model written by :meth:`save` (or a training checkpoint: its best parameters).

        A corrupt or foreign file raises :class:`~wordnet_lm.errors.ModelFileError`.
        """
        arrays, meta = load_npz(path, kind=MODEL_KIND)
        return cls.from_arrays(arrays, meta, path)

    @classmethod
    def from_arrays(cls, arrays: Mapping[str, np.ndarray], meta: Mapping[str, Any],
                    source: str | os.PathLike = "<memory>") -> "NPLM":
        """Rebuild a model from the arrays and metadata of a model file, checking them."""
        if meta.get("format_version") != FORMAT_VERSION:
            raise ModelFileError(f"{source}: unsupported model format version {meta.get('format_version')!r}")
        try:
            hyperparameters = dict(meta["hyperparameters"])
            hyperparameters.setdefault("output", "full")  # files from before the factorised softmaxes
            model = cls(**hyperparameters)
            model.check_params()
            words, counts = meta["vocab"]["words"], meta["vocab"]["counts"]
            model.vocab_ = Vocab(words[3:], counts)
            if model.vocab_.words != list(words):
                raise ValueError("vocabulary does not start with <unk>, <s>, </s>")
            model._pin_adaptive_layout(meta.get("adaptive_layout"))
        except (KeyError, TypeError, ValueError, WordnetLMError) as e:
            raise ModelFileError(f"{source}: corrupt model metadata ({e})") from None
        expected = model.init_params(len(model.vocab_))
        params: Params = {}
        for name, fresh in expected.items():
            arr = arrays.get(name)
            if arr is None or arr.shape != fresh.shape or arr.dtype.kind != "f":
                got = "missing" if arr is None else f"{arr.dtype} {arr.shape}"
                raise ModelFileError(f"{source}: parameter {name!r} is {got}, expected float {fresh.shape}")
            if not np.isfinite(arr).all():
                raise ModelFileError(f"{source}: parameter {name!r} holds NaN or infinity (a diverged run?)")
            params[name] = np.ascontiguousarray(arr, dtype=np.float32)
        model.params_ = params
        model.training_ = dict(meta.get("training") or {})
        model.history_ = list(meta.get("history") or [])
        return model

    # ------------------------------------------------------------------ helpers
    def _pin_adaptive_layout(self, saved: Mapping[str, Any] | None) -> None:
        """Make a loaded adaptive softmax the one its file was trained with: the layout the
        file records, or for files from before per-cluster widths (2026-12-02, no
        ``projections`` setting) the defaults of then (``legacy_layout``).  Settings are made
        explicit only where today's defaults would build another layout."""
        if not self.hidden or resolve_output(self.output, len(self._vocab()), self.direct) != "adaptive":
            return
        size = len(self._vocab())
        if saved is None and self.projections is None:
            cutoffs, projections = legacy_layout(self.hidden, size, self.cutoffs)
        elif saved is not None:
            cutoffs, projections = tuple(saved["cutoffs"]), tuple(saved["projections"])
        else:
            return
        layer = self.output_layer(size)
        if (layer.cutoffs, layer.projections) != (tuple(cutoffs), tuple(projections)):
            self.cutoffs, self.projections = [int(c) for c in cutoffs], [int(w) for w in projections]

    def _vocab(self) -> Vocab:
        vocab = getattr(self, "vocab_", None)
        if vocab is None:
            raise WordnetLMError("the model is not trained yet: call fit() or NPLM.load()")
        return vocab

    def _trained(self, params: Mapping[str, np.ndarray] | None = None) -> Mapping[str, np.ndarray]:
        if params is not None:
            return params
        trained = getattr(self, "params_", None)
        if trained is None:
            raise WordnetLMError("the model is not trained yet: call fit() or NPLM.load()")
        return trained

    def __repr__(self) -> str:
        return f"NPLM({', '.join(f'{k}={v!r}' for k, v in self.get_params().items())})"

"""GloVe checkpoints: resuming equals an uninterrupted run; other data or settings are refused."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse

from wordnet_lm.cli import main
from wordnet_lm.errors import ModelFileError, TrainingError
from wordnet_lm.glove import GloVe
from wordnet_lm.glove import train as train_module
from wordnet_lm.io import load_npz, save_npz


def matrix(seed=0, n=40, density=0.3):
    rng = np.random.default_rng(seed)
    X = scipy.sparse.random(n, n, density=density, random_state=seed, data_rvs=lambda k: rng.uniform(0.2, 50, k))
    return (X + X.T).tocsr()


def glove(**kw):
    return GloVe(**{"dim": 6, "epochs": 5, "batch_size": 64, "seed": 3, **kw})


def same_state(a: GloVe, b: GloVe) -> bool:
    arrays = ("W_", "W_tilde_", "b_", "b_tilde_")
    return all(np.array_equal(getattr(a, k), getattr(b, k)) for k in arrays) and a.loss_history_ == b.loss_history_


class Interrupt(Exception):
    pass


def interrupt_after(n):
    def callback(model, epoch):
        if epoch == n:
            raise Interrupt
    return callback


@pytest.mark.parametrize("stop_after", [1, 3])
def test_resume_equals_uninterrupted(tmp_path, stop_after):
    X, ckpt = matrix(), tmp_path / "run.ckpt.npz"
    whole = glove().fit(X)
    with pytest.raises(Interrupt):
        glove().fit(X, interrupt_after(stop_after), checkpoint=ckpt)
    assert load_npz(ckpt)[1]["epochs_done"] == stop_after
    seen = []
    resumed = glove().fit(X, lambda model, epoch: seen.append(epoch), checkpoint=ckpt, resume=True)
    assert seen == list(range(stop_after + 1, 6))
    assert same_state(resumed, whole) and len(resumed.loss_history_) == 5


def test_resume_extends_a_finished_run_and_a_finished_run_is_kept(tmp_path):
    X, ckpt = matrix(), tmp_path / "c.npz"
    glove(epochs=2).fit(X, checkpoint=ckpt)
    assert same_state(glove(epochs=5).fit(X, checkpoint=ckpt, resume=True), glove(epochs=5).fit(X))
    again = glove(epochs=5).fit(X, lambda *a: pytest.fail("nothing left to train"), checkpoint=ckpt, resume=True)
    assert same_state(again, glove(epochs=5).fit(X))


def test_without_resume_the_checkpoint_is_overwritten(tmp_path):
    X, ckpt = matrix(), tmp_path / "c.npz"
    glove(epochs=2).fit(X, checkpoint=ckpt)
    assert same_state(glove(epochs=3).fit(X, checkpoint=ckpt), glove(epochs=3).fit(X))
    assert load_npz(ckpt)[1]["epochs_done"] == 3


def test_resume_refuses_other_settings_and_other_data(tmp_path):
    X, ckpt = matrix(), tmp_path / "c.npz"
    glove(epochs=3).fit(X, checkpoint=ckpt)
    for changed in (dict(lr=0.1), dict(dim=7), dict(x_max=10.0), dict(seed=4), dict(batch_size=32),
                    dict(adagrad="paper")):
        name = next(iter(changed))
        with pytest.raises(ModelFileError, match=f"made with {name}="):
            glove(**changed).fit(X, checkpoint=ckpt, resume=True)
    with pytest.raises(ModelFileError, match="another co-occurrence matrix"):
        glove().fit(matrix(seed=1), checkpoint=ckpt, resume=True)
    with pytest.raises(ModelFileError, match="3 epochs done, more than the 2"):
        glove(epochs=2).fit(X, checkpoint=ckpt, resume=True)
    assert glove(n_threads=1).fit(X, checkpoint=ckpt, resume=True).loss_history_  # threads may change


def test_resume_refuses_foreign_and_corrupt_files(tmp_path):
    X = matrix()
    other = tmp_path / "other.npz"
    save_npz(other, {"x": np.zeros(2)}, {"kind": "nplm"})
    with pytest.raises(ModelFileError, match="expected 'glove-checkpoint'"):
        glove().fit(X, checkpoint=other, resume=True)
    garbage = tmp_path / "garbage.npz"
    garbage.write_bytes(b"\x00\x01 not a zip")
    with pytest.raises(ModelFileError, match="not a wordnet_lm model file"):
        glove().fit(X, checkpoint=garbage, resume=True)
    ckpt = tmp_path / "c.npz"
    glove(epochs=1).fit(X, checkpoint=ckpt)
    arrays, meta = load_npz(ckpt)
    arrays["W"] = arrays["W"][:, :3]
    save_npz(ckpt, arrays, meta)
    with pytest.raises(ModelFileError, match="corrupt GloVe checkpoint.*W has shape"):
        glove().fit(X, checkpoint=ckpt, resume=True)


def test_a_diverging_run_keeps_the_last_good_checkpoint(tmp_path, monkeypatch):
    X, ckpt = matrix(), tmp_path / "c.npz"
    real_epoch = train_module._BatchStep.epoch
    calls = []

    def epoch(self, rng):
        calls.append(1)
        return float("nan") if len(calls) == 3 else real_epoch(self, rng)

    monkeypatch.setattr(train_module._BatchStep, "epoch", epoch)
    with pytest.raises(TrainingError, match="loss became nan in epoch 3"):
        glove().fit(X, checkpoint=ckpt)
    assert load_npz(ckpt)[1]["epochs_done"] == 2


# ---------------------------------------------------------------------------- command line
FAST = ["--dim", "6", "--quiet", "--min-count", "20"]


def test_cli_writes_a_checkpoint_and_resumes(tmp_path, capsys):
    straight, part = tmp_path / "straight.txt", tmp_path / "part.txt"
    assert main(["glove", "--out", str(straight), "--epochs", "3", "--no-checkpoint", *FAST]) == 0
    assert not (tmp_path / "straight.ckpt.npz").exists()
    assert main(["glove", "--out", str(part), "--epochs", "1", *FAST]) == 0
    assert (tmp_path / "part.ckpt.npz").exists()
    assert main(["glove", "--out", str(part), "--epochs", "3", "--resume", *FAST]) == 0
    assert part.read_bytes() == straight.read_bytes()
    capsys.readouterr()
    assert main(["glove", "--out", str(part), "--resume", "--no-checkpoint", *FAST]) == 2
    assert "drop --no-checkpoint" in capsys.readouterr().err
    assert main(["glove", "--out", str(part), "--epochs", "3", "--resume", "--lr", "0.01", *FAST]) == 2
    assert "checkpoint made with lr=0.05, not 0.01" in capsys.readouterr().err


def test_cli_interrupt_keeps_the_checkpoint(tmp_path, capsys, monkeypatch):
    out = tmp_path / "v.txt"
    real_epoch = train_module._BatchStep.epoch
    calls = []

    def epoch(self, rng):
        calls.append(1)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real_epoch(self, rng)

    monkeypatch.setattr(train_module._BatchStep, "epoch", epoch)
    assert main(["glove", "--out", str(out), "--epochs", "3", *FAST[:-2]]) == 130
    err = capsys.readouterr().err
    assert "checkpoint" in err and "--resume to continue" in err and "interrupted" in err
    assert not out.exists() and load_npz(tmp_path / "v.ckpt.npz")[1]["epochs_done"] == 1

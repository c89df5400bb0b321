"""Every numeric option of every command has a checked domain; short flags mean one thing."""

from __future__ import annotations

import argparse

import pytest

from wordnet_lm.cli import build_parser, main
from wordnet_lm.cli.ngram_cmds import DEFAULT_ORDER
from wordnet_lm.cli.options import MAX_ORDER, integer, real
from wordnet_lm.nplm import NPLM


def subcommands(parser: argparse.ArgumentParser, prefix: tuple[str, ...] = ()):
    """(command words, parser) of every leaf subcommand."""
    found = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                found += subcommands(sub, prefix + (name,))
    return found or [(prefix, parser)]


COMMANDS = subcommands(build_parser())
NUMERIC = [(words, action) for words, parser in COMMANDS for action in parser._actions
           if action.option_strings and getattr(action.type, "__name__", "") in ("integer", "number")]
# values outside every domain used: negative, not a number at all, and (for integers) not an integer
BAD_VALUES = ["-7", "nan", "x"]


def required_arguments(words: tuple[str, ...]) -> list[str]:
    """Placeholders for required positionals and options, so that only the value under test is wrong."""
    extra = {("ngram-sample",): ["--model", "m.arpa"], ("perplexity",): ["--model", "m.arpa"],
             ("export-vectors",): ["--out", "v.txt"], ("corpus", "info"): [], ("corpus", "vocab"): ["--out", "v"],
             ("corpus", "demo"): ["--out", "d"], ("neighbors",): ["king"], ("similarity",): ["a", "b"]}
    return extra.get(words, [])


def test_every_command_has_numeric_options_checked():
    assert len(COMMANDS) >= 15
    assert len(NUMERIC) >= 40
    untyped = [(words, a.option_strings) for words, parser in COMMANDS for a in parser._actions
               if a.option_strings and a.type in (int, float)]
    assert untyped == []


@pytest.mark.parametrize("words, action", NUMERIC, ids=[" ".join(w) + " " + a.option_strings[0] for w, a in NUMERIC])
def test_a_value_outside_the_domain_is_one_line_exit_2(words, action, capsys):
    for value in BAD_VALUES + (["2.5"] if action.type.__name__ == "integer" else []):
        status = main([*words, *required_arguments(words), action.option_strings[0], value])
        err = capsys.readouterr().err.strip()
        assert status == 2, (value, err)
        assert len(err.splitlines()) == 1, err
        assert err.startswith(f"wordnet-lm {' '.join(words)}: error: argument {action.option_strings[0]}"), err
        assert "must be" in err or "expected" in err, err


@pytest.mark.parametrize("check, good, bad", [
    (integer(1, 20), ["1", "20"], ["0", "21", "2.5", ""]),
    (integer(0), ["0", "99999999999"], ["-1"]),
    (real(0, low_open=True), ["1e-9", "3"], ["0", "-1", "inf", "nan"]),
    (real(0, 1, high_open=True), ["0", "0.99"], ["1", "-0.1"]),
])
def test_option_types(check, good, bad):
    for text in good:
        check(text)
    for text in bad:
        with pytest.raises(argparse.ArgumentTypeError):
            check(text)


def test_orders_are_bounded_in_every_command():
    for _, parser in COMMANDS:
        for action in parser._actions:
            if action.dest == "order":
                assert action.type(str(MAX_ORDER)) == MAX_ORDER
                with pytest.raises(argparse.ArgumentTypeError):
                    action.type(str(MAX_ORDER + 1))


SAME_MEANING = {"--topn": "how many", "--n": "how many"}  # answers / words / sentences to print


def test_short_flags_mean_the_same_option_in_every_command():
    meaning: dict[str, set[str]] = {}
    for _, parser in COMMANDS:
        for action in parser._actions:
            longs = [o for o in action.option_strings if o.startswith("--")]
            for short in (o for o in action.option_strings if not o.startswith("--")):
                if short != "-h":
                    name = longs[0] if longs else action.dest
                    meaning.setdefault(short, set()).add(SAME_MEANING.get(name, name))
    clashes = {short: names for short, names in meaning.items() if len(names) > 1}
    assert clashes == {}
    assert meaning["-o"] == {"--out"} and meaning["-m"] == {"--model"}


def test_ngram_and_neural_default_orders_agree():
    assert DEFAULT_ORDER == NPLM().order
    ngram = dict(COMMANDS)[("ngram",)]
    assert ngram.get_default("order") == DEFAULT_ORDER


def test_every_vocabulary_cap_is_spelled_max_vocab():
    """One name for "keep the N most frequent words" in every command (``--max-size``, the older
    spelling of the corpus and co-occurrence commands, still parses to the same option)."""
    caps = [(words, action) for words, parser in COMMANDS for action in parser._actions
            if {"--max-vocab", "--max-size"} & set(action.option_strings)]
    assert {words for words, _ in caps} >= {("ngram",), ("train-lm",), ("cooccur",), ("corpus", "encode")}
    assert all(action.option_strings[0] == "--max-vocab" for _, action in caps)
    for words, action in caps:
        if "--max-size" in action.option_strings:
            parser = dict(COMMANDS)[words]
            positional = {("corpus", "encode"): ["text", "--out", "d"], ("cooccur",): ["text", "--out", "c"]}
            given = required_arguments(words) + positional.get(words, [])
            old = parser.parse_args(given + ["--max-size", "7"])
            new = parser.parse_args(given + ["--max-vocab", "7"])
            assert getattr(old, action.dest) == getattr(new, action.dest) == 7

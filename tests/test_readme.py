"""The README works as written: every ```bash and ```python block runs in an empty temporary
directory, not the checkout.

Bash lines run one by one, in order, in one directory (later lines read what earlier ones
wrote), with ``wordnet-lm`` resolved to ``python -m wordnet_lm.cli`` of this checkout by a shim
first on ``PATH``.  Lines that install the package or run the test suite are skipped, saying so;
lines reading ``../shared/`` (the data beside the checkout) run on that directory when it exists
and are skipped otherwise.  Python blocks run as scripts with this checkout on ``PYTHONPATH``.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from wordnet_lm.cli import build_parser

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
SHARED = ROOT.parent / "shared"
FIRST_TWO_LINES = [
    "pip install . && wordnet-lm compare          # neural LM vs n-gram baselines on the built-in demo corpus (~1 min)",
    'pip install ".[test]" && python -m pytest -q  # run the tests',
]
TIMEOUT = 600  # seconds a line may take before it counts as hanging


def code_blocks(language: str, text: str | None = None) -> list[tuple[int, str]]:
    """``(line number, body)`` of every fenced block of ``language`` in the README."""
    text = README.read_text(encoding="utf-8") if text is None else text
    return [(text.count("\n", 0, m.start()) + 2, m.group(1))
            for m in re.finditer(rf"^```{language}\n(.*?)^```", text, re.DOTALL | re.MULTILINE)]


def bash_lines(text: str | None = None) -> list[tuple[int, str]]:
    """``(line number, command)`` of every command line of the bash blocks, comments removed."""
    lines = []
    for start, body in code_blocks("bash", text):
        for offset, line in enumerate(body.splitlines()):
            command = without_comment(line)
            if command:
                lines.append((start + offset, command))
    return lines


def without_comment(line: str) -> str:
    """A shell line without its ``# comment`` (a ``#`` outside quotes, at a word's start)."""
    quote = None
    for i, char in enumerate(line):
        if quote:
            quote = None if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char == "#" and (i == 0 or line[i - 1].isspace()):
            return line[:i].strip()
    return line.strip()


def skip_reason(command: str) -> str | None:
    """Why a README line is not run here, or ``None``."""
    if re.search(r"\bpip install\b", command):
        return "installs the package (the tests run on this checkout)"
    if "-m pytest" in command:
        return "runs the test suite (this test is part of it)"
    if "../shared/" in command and not SHARED.is_dir():
        return f"needs {SHARED} (the data beside the checkout), which is not there"
    return None


def environment(bin_dir: Path, home: Path) -> dict[str, str]:
    """This checkout first on ``PYTHONPATH``, the ``wordnet-lm`` shim first on ``PATH``, caches
    and pictures kept out of the user's directories."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), *filter(None, [env.get("PYTHONPATH")])])
    env["PATH"] = os.pathsep.join([str(bin_dir), env.get("PATH", "")])
    env["WORDNET_LM_CACHE"] = str(home / "cache")
    env["MPLBACKEND"] = "Agg"
    env["MPLCONFIGDIR"] = str(home / "matplotlib")
    return env


def run(command: str, cwd: Path, env: dict[str, str], what: str) -> subprocess.CompletedProcess:
    """Run a bash command line; fail with its output's end unless it exits 0."""
    result = subprocess.run(["bash", "-c", command], cwd=cwd, env=env, capture_output=True, text=True, check=False,
                            timeout=TIMEOUT)
    assert result.returncode == 0, (
        f"README {what} failed (exit {result.returncode}) in {cwd}\n"
        f"--- stdout (end)\n{result.stdout[-2000:]}\n--- stderr (end)\n{result.stderr[-2000:]}")
    return result


@dataclass
class Sandbox:
    """An empty working directory for the bash lines, the environment, and the python blocks,
    started at once in directories of their own: they run beside the bash lines (CI has two
    cores), and their tests wait for them."""

    work: Path
    env: dict[str, str]
    python_runs: dict[int, tuple[Path, subprocess.Popen]]


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory):
    root = tmp_path_factory.mktemp("readme")
    bin_dir, work = root / "bin", root / "work"
    bin_dir.mkdir()
    work.mkdir()
    shim = bin_dir / "wordnet-lm"
    shim.write_text(f'#!/bin/sh\nexec {shlex.quote(sys.executable)} -m wordnet_lm.cli "$@"\n')
    shim.chmod(0o755)
    env = environment(bin_dir, root)
    runs = {}
    for line_no, source in PYTHON:
        directory = root / f"python-{line_no}"
        directory.mkdir()
        (directory / "example.py").write_text(source, encoding="utf-8")
        with open(directory / "stdout", "w") as out, open(directory / "stderr", "w") as err:
            runs[line_no] = directory, subprocess.Popen([sys.executable, "example.py"], cwd=directory, env=env,
                                                        stdout=out, stderr=err)
    assert not any(work.iterdir()) and ROOT not in work.parents
    yield Sandbox(work, env, runs)
    for _, process in runs.values():
        if process.poll() is None:
            process.kill()
            process.wait()


# ---------------------------------------------------------------------------- the extraction itself


def test_the_readme_starts_with_its_two_command_lines():
    first = code_blocks("bash")[0][1].splitlines()
    assert first[:2] == FIRST_TWO_LINES


def test_extraction_finds_the_commands_and_their_subcommands_exist():
    sample = "x\n```bash\nwordnet-lm next \"the # of\"   # top # words\n\n# a comment\necho a | wc -c\n```\n"
    assert bash_lines(sample) == [(3, 'wordnet-lm next "the # of"'), (6, "echo a | wc -c")]
    assert code_blocks("python", "```python\nprint(1)\n```\n") == [(2, "print(1)\n")]
    commands = [shlex.split(c) for _, c in bash_lines()]
    subcommands = {words[1] for words in commands if words[0] == "wordnet-lm"}
    known = set(build_parser()._subparsers._group_actions[0].choices)
    assert subcommands <= known and {"train-lm", "compare", "ngram", "glove", "evaluate"} <= subcommands
    assert len(code_blocks("python")) >= 2
    assert [skip_reason(line) is not None for line in FIRST_TWO_LINES] == [True, True]


# ---------------------------------------------------------------------------- running it

BASH = bash_lines()
PYTHON = code_blocks("python")


@pytest.mark.parametrize("line_no, command", BASH, ids=[f"README:{n}" for n, _ in BASH])
def test_bash_line_runs_as_written(sandbox, line_no, command):
    """Lines run in README order in one directory: a failure may come from an earlier line's."""
    reason = skip_reason(command)
    if reason:
        pytest.skip(f"README line {line_no}: {reason}")
    run(command.replace("../shared/", f"{SHARED}/"), sandbox.work, sandbox.env, f"line {line_no} ({command})")



@pytest.mark.parametrize("line_no", [n for n, _ in PYTHON], ids=[f"README:{n}" for n, _ in PYTHON])
def test_python_block_runs_as_written(sandbox, line_no):
    directory, process = sandbox.python_runs[line_no]
    code = process.wait(timeout=TIMEOUT)
    stdout, stderr = (directory / "stdout").read_text(), (directory / "stderr").read_text()
    assert code == 0, (f"README python block at line {line_no} failed (exit {code}) in {directory}\n"
                       f"--- stdout (end)\n{stdout[-2000:]}\n--- stderr (end)\n{stderr[-2000:]}")
    assert stdout.strip(), "the example prints its results"

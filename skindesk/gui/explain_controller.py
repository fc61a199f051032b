"""Computing and caching explanations for the Grad-CAM tab.

Per image, the subject (the image the model saw, see
:mod:`skindesk.gui.explain_work`) and each (method, class) explanation are
computed once in a worker and kept until the image is analysed again, so
switching back to a method, or changing opacity and colour map, costs no
recomputation. Only the newest request runs (see
:class:`~skindesk.gui.latest_job.LatestJob`); results of an older request
still fill the cache.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from skindesk.gui.context import PaneContext
from skindesk.gui.explain_work import Shown, Subject, explain, make_subject
from skindesk.gui.latest_job import LatestJob
from skindesk.gui.tasks import Outcome

Key = tuple[str, str]  # (method id, class id)


class ExplainController:
    """Explanations of analysed images, computed in a worker and cached.

    Args:
        context: Runner and service.
        widget: For timers.
        on_ready: Called on the Tk thread when new explanations are cached.
        on_error: Called on the Tk thread with an error of the newest request.
    """

    def __init__(self, context: PaneContext, widget: Any, on_ready: Callable[[], None],
                 on_error: Callable[[BaseException], None]) -> None:
        self._model = context.model
        self._on_ready = on_ready
        self._on_error = on_error
        self.job = LatestJob(context.runner, widget, self._done, 0, "explain")
        self._subjects: dict[str, Subject] = {}
        self._cache: dict[tuple[str, str, str], Shown] = {}
        self.computed = 0  # explanations computed so far (the first one is slow)

    @property
    def busy(self) -> bool:
        """True while a request runs or waits."""
        return self.job.busy

    def subject(self, doc: Any) -> Subject | None:
        """The cached subject of ``doc``'s current result."""
        subject = self._subjects.get(doc.id)
        return subject if subject is not None and subject.result is doc.result else None

    def cached(self, doc: Any, key: Key) -> Shown | None:
        """The cached explanation of ``doc``'s current result, if computed."""
        if self.subject(doc) is None:
            return None
        return self._cache.get((doc.id, *key))

    def ensure(self, doc: Any, keys: Sequence[Key]) -> bool:
        """True when everything for ``keys`` is cached; otherwise start computing it."""
        subject = self.subject(doc)
        missing = [k for k in dict.fromkeys(keys) if self.cached(doc, k) is None]
        if subject is not None and not missing:
            self.job.cancel()  # nothing older needs to run any more
            return True
        model, result, picture = self._model, doc.result, doc.image.levels[0]

        def work() -> tuple[Subject, dict[Key, Shown]]:
            service = model.wait_for_service()
            ready = subject or make_subject(service, result, picture)
            return ready, {key: explain(service, ready, *key) for key in missing}

        self.job.request(doc.id, work)
        return False

    def forget(self, doc_id: str) -> None:
        """Drop what is cached for a closed image."""
        self._subjects.pop(doc_id, None)
        for key in [k for k in self._cache if k[0] == doc_id]:
            del self._cache[key]

    def _done(self, doc_id: str, outcome: Outcome[Any], current: bool) -> None:
        if outcome.ok and outcome.value is not None:
            subject, explanations = outcome.value
            if doc_id in self._subjects and self._subjects[doc_id].result is not subject.result:
                self.forget(doc_id)  # computed for an older analysis of this image
            self._subjects[doc_id] = subject
            for key, shown in explanations.items():
                self._cache[(doc_id, *key)] = shown
                self.computed += 1
            self._on_ready()
        elif current and outcome.error is not None:
            self._on_error(outcome.error)

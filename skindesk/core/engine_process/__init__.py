"""The inference engine in its own process, for front ends that must never stall.

Importing TensorFlow and loading a model hold the interpreter lock inside C++
for long stretches (up to ~0.4 s at a time); in the GUI's process that
freezes the window however the work is threaded. So the GUI keeps TensorFlow
out of its process altogether, as Thonny keeps its back end: a child process
(:mod:`.server`) owns the models, and :class:`ProcessService` — the same
service the CLI uses, with :class:`RemoteEngine` in place of the in-process
engine — sends it prepared image batches and Grad-CAM requests through a pipe
(:mod:`.client`). Image decoding, preprocessing, segmentation, the history
database and reports stay in the front end's process.
"""

from skindesk.core.engine_process.client import EngineProcess, EngineProcessError
from skindesk.core.engine_process.remote import ProcessService, RemoteEngine

__all__ = ["EngineProcess", "EngineProcessError", "ProcessService", "RemoteEngine"]

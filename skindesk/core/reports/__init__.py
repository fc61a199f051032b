"""Clinical PDF reports: one analysis, a batch scan, a patient (and their page template).

Import the submodules: :mod:`.layout` (settings and page template),
:mod:`.single` (one analysis), :mod:`.batch` (a folder scan) with optional
per-image pages (:mod:`.batch_pages`), :mod:`.patient` (a patient or visit
from the history, with :mod:`.patient_lesions` and :mod:`.followup_pages`)
and :mod:`.build` (running an analysis for a report).
"""

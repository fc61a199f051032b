"""Clinical PDF reports: one analysis, a batch scan (and their page template).

Import the submodules: :mod:`.layout` (settings and page template),
:mod:`.single` (one analysis), :mod:`.batch` (a folder scan) and
:mod:`.build` (running an analysis for a report).
"""

"""SkinDesk: an offline skin-lesion decision-support workstation.

SkinDesk gives decision support, not a diagnosis. The engine lives in
:mod:`skindesk.core` (no GUI imports), the Tk front end in :mod:`skindesk.gui`
and the command line in :mod:`skindesk.cli`.
"""

__version__ = "0.1.0"

DISCLAIMER = (
    "Decision support only, not a diagnosis. SkinDesk's output is a statistical "
    "estimate from a machine-learning model with known limits; the clinician "
    "makes the diagnosis and decides on management."
)

"""SkinDesk's engine: image loading, models, inference and analysis.

Nothing under this package imports tkinter or any GUI toolkit, so the CLI,
the tests and any future server use exactly what the desktop app uses.
"""

"""The patient history in the desktop app.

The Patients window (list, search, create/edit/delete, export), the patient
view (visits, lesions and analyses on a timeline), lesion follow-up, and
"Save to patient…" from the main window. Every database call goes through
:class:`~skindesk.gui.history.access.HistoryAccess`, which runs it in a
worker; :func:`~skindesk.gui.history.wiring.install_history` connects it all
to the main window.
"""

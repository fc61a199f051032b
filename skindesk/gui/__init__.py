"""SkinDesk's desktop front end (Tkinter + ttkbootstrap).

The GUI never imports TensorFlow: every analysis goes through the one
service object (:class:`skindesk.core.service.SkinDeskService`), called from
worker threads whose results reach Tk through queues polled with ``after()``
(:mod:`skindesk.gui.tasks`). :func:`skindesk.gui.app.main` starts the app;
:class:`skindesk.gui.main_window.MainWindow` is the window tests drive.
"""

"""The menu bar and keyboard shortcuts of the main window."""

from __future__ import annotations

import tkinter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import ttkbootstrap as ttk

Command = Callable[[], object]
_TYPING_CLASSES = {"TEntry", "Entry", "TCombobox", "TSpinbox", "Spinbox", "Text"}


@dataclass(frozen=True)
class MenuCommands:
    """What the menus and shortcuts call (the main window's actions)."""

    open: Command
    open_path: Callable[[str], object]
    recent_files: Callable[[], list[str]]
    clear_recent: Command
    paste_path: Command
    close_image: Command
    quit: Command
    analyse: Command
    analyse_all: Command
    fit: Command
    actual_size: Command
    toggle_theme: Command
    about: Command
    show_preprocessing: Command
    show_explain: Command
    save_overlay: Command
    scan_folder: Command | None = None  # File ▸ Scan folder… (Ctrl+Shift+O)
    export_report: Command | None = None  # File ▸ Export PDF report…
    report_header: Command | None = None  # File ▸ Report header…
    models: Command | None = None  # Analysis ▸ Models…
    patients: Command | None = None  # Patients ▸ Patients… (Ctrl+Shift+R)
    save_to_patient: Command | None = None  # Patients ▸ Save to patient… (Ctrl+R)


def build_menubar(root: tkinter.Tk, commands: MenuCommands, dark: tkinter.BooleanVar,
                  preprocessed: tkinter.BooleanVar | None = None) -> ttk.Menu:
    """Create and attach the menu bar.

    ``dark`` backs View ▸ Dark theme; ``preprocessed`` backs Analysis ▸
    Analyse the preprocessed image (the same variable as the pane's check box).
    """
    bar = ttk.Menu(root)
    file_menu = ttk.Menu(bar, tearoff=False)
    file_menu.add_command(label="Open…", accelerator="Ctrl+O", command=commands.open, underline=0)
    recent = ttk.Menu(file_menu, tearoff=False,
                      postcommand=lambda: _fill_recent(recent, commands))
    file_menu.add_cascade(label="Open recent", menu=recent, underline=5)
    file_menu.add_command(label="Paste path…", accelerator="Ctrl+L", command=commands.paste_path)
    if commands.scan_folder is not None:
        file_menu.add_command(label="Scan folder…", accelerator="Ctrl+Shift+O",
                              command=commands.scan_folder, underline=0)
    file_menu.add_separator()
    file_menu.add_command(label="Save overlay as PNG…", accelerator="Ctrl+S",
                          command=commands.save_overlay)
    if commands.export_report is not None:
        file_menu.add_command(label="Export PDF report…", command=commands.export_report)
    if commands.report_header is not None:
        file_menu.add_command(label="Report header…", command=commands.report_header)
    file_menu.add_separator()
    file_menu.add_command(label="Close image", accelerator="Ctrl+W", command=commands.close_image)
    file_menu.add_separator()
    file_menu.add_command(label="Quit", accelerator="Ctrl+Q", command=commands.quit, underline=0)
    bar.add_cascade(label="File", menu=file_menu, underline=0)

    analysis = ttk.Menu(bar, tearoff=False)
    analysis.add_command(label="Analyse", accelerator="Ctrl+Enter", command=commands.analyse)
    analysis.add_command(label="Analyse all", accelerator="Ctrl+Shift+Enter",
                         command=commands.analyse_all)
    if preprocessed is not None:
        analysis.add_separator()
        analysis.add_checkbutton(label="Analyse the preprocessed image", variable=preprocessed)
    if commands.models is not None:
        analysis.add_separator()
        analysis.add_command(label="Models…", command=commands.models, underline=0)
    bar.add_cascade(label="Analysis", menu=analysis, underline=0)
    if commands.patients is not None:
        _add_patients_menu(bar, commands)

    view = ttk.Menu(bar, tearoff=False)
    view.add_command(label="Fit to window", accelerator="F", command=commands.fit)
    view.add_command(label="Actual pixels (1:1)", accelerator="1", command=commands.actual_size)
    view.add_separator()
    view.add_command(label="Preprocessing", accelerator="Ctrl+P",
                     command=commands.show_preprocessing)
    view.add_command(label="Grad-CAM", accelerator="Ctrl+G", command=commands.show_explain)
    view.add_separator()
    view.add_checkbutton(label="Dark theme", variable=dark, command=commands.toggle_theme)
    bar.add_cascade(label="View", menu=view, underline=0)

    help_menu = ttk.Menu(bar, tearoff=False)
    help_menu.add_command(label="About SkinDesk", command=commands.about)
    bar.add_cascade(label="Help", menu=help_menu, underline=0)
    root.configure(menu=bar)
    return bar


def _add_patients_menu(bar: ttk.Menu, commands: MenuCommands) -> None:
    assert commands.patients is not None
    menu = ttk.Menu(bar, tearoff=False)
    menu.add_command(label="Patients…", accelerator="Ctrl+Shift+R", command=commands.patients,
                     underline=0)
    if commands.save_to_patient is not None:
        menu.add_command(label="Save to patient…", accelerator="Ctrl+R",
                         command=commands.save_to_patient, underline=0)
    bar.add_cascade(label="Patients", menu=menu, underline=0)


def _fill_recent(menu: tkinter.Menu, commands: MenuCommands) -> None:
    menu.delete(0, "end")
    files = commands.recent_files()
    for path in files:
        menu.add_command(label=_short(path), command=_bound(commands.open_path, path))
    if not files:
        menu.add_command(label="(none)", state="disabled")
    menu.add_separator()
    menu.add_command(label="Clear list", command=commands.clear_recent,
                     state="normal" if files else "disabled")


def _short(path: str, limit: int = 60) -> str:
    """A menu label for a path: the file name and as much of its folder as fits."""
    p = Path(path)
    text = f"{p.name}  —  {p.parent}"
    return text if len(text) <= limit else text[: limit - 1] + "…"


def bind_shortcuts(root: tkinter.Tk, commands: MenuCommands) -> None:
    """Keyboard shortcuts for the whole main window.

    Single-letter keys (F, 1) are ignored while typing in a field.
    """
    chords: dict[str, Command] = {
        "<Control-o>": commands.open, "<Control-O>": commands.open,
        "<Control-l>": commands.paste_path, "<Control-L>": commands.paste_path,
        "<Control-w>": commands.close_image, "<Control-W>": commands.close_image,
        "<Control-q>": commands.quit, "<Control-Q>": commands.quit,
        "<Control-Return>": commands.analyse, "<Control-KP_Enter>": commands.analyse,
        "<Control-Shift-Return>": commands.analyse_all,
        "<Control-p>": commands.show_preprocessing, "<Control-P>": commands.show_preprocessing,
        "<Control-g>": commands.show_explain, "<Control-G>": commands.show_explain,
        "<Control-s>": commands.save_overlay, "<Control-S>": commands.save_overlay,
    }
    if commands.scan_folder is not None:  # more specific than Ctrl+O, so Tk picks it with Shift
        chords["<Control-Shift-O>"] = chords["<Control-Shift-o>"] = commands.scan_folder
    if commands.save_to_patient is not None:
        chords["<Control-r>"] = chords["<Control-R>"] = commands.save_to_patient
    if commands.patients is not None:  # more specific than Ctrl+R, so Tk picks it with Shift
        chords["<Control-Shift-R>"] = chords["<Control-Shift-r>"] = commands.patients
    for sequence, command in chords.items():
        root.bind(sequence, _chord(command))
    for sequence, command in {"<Key-f>": commands.fit, "<Key-F>": commands.fit,
                              "<Key-1>": commands.actual_size}.items():
        root.bind(sequence, _key_unless_typing(command))


def _bound(function: Callable[[str], object], argument: str) -> Command:
    return lambda: function(argument)


def _chord(command: Command) -> Callable[[tkinter.Event], str]:
    def handler(_event: tkinter.Event) -> str:
        command()
        return "break"  # e.g. Ctrl+Enter must not also insert a newline

    return handler


def _key_unless_typing(command: Command) -> Callable[[tkinter.Event], None]:
    def handler(event: tkinter.Event) -> None:
        if not _typing(event):
            command()

    return handler


def _typing(event: tkinter.Event) -> bool:
    widget = event.widget
    return isinstance(widget, tkinter.Misc) and widget.winfo_class() in _TYPING_CLASSES

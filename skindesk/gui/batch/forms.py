"""The scan window's two small forms: what to scan, and which results to show."""

from __future__ import annotations

import re
import tkinter
from collections.abc import Callable
from tkinter import filedialog

import ttkbootstrap as ttk

from skindesk.gui.batch.attach import GROUP_CHOICES
from skindesk.gui.batch.rows import RowFilter
from skindesk.gui.units import px


def split_patterns(text: str) -> tuple[str, ...]:
    """Include patterns as typed: separated by spaces, commas or semicolons."""
    return tuple(p for p in re.split(r"[\s,;]+", text) if p)


class ScanOptionsForm(ttk.Frame):
    """Folder, sub-folders, include patterns and whether to preprocess.

    Args:
        master: Parent widget.
        folder: The folder to start with.
        preprocess: Whether preprocessing starts switched on.
        preprocess_label: Names the pipeline the Preprocessing tab holds.
        on_change: Called (without arguments) whenever an option changes.
    """

    def __init__(self, master: tkinter.Misc, folder: str, preprocess: bool,
                 preprocess_label: str, on_change: Callable[[], None]) -> None:
        super().__init__(master, padding=(px(10), px(8), px(10), px(4)))
        self.folder = tkinter.StringVar(self, folder)
        self.recursive = tkinter.BooleanVar(self, False)
        self.include = tkinter.StringVar(self, "")
        self.preprocess = tkinter.BooleanVar(self, preprocess)
        ttk.Label(self, text="Folder:").grid(row=0, column=0, sticky="w")
        self.folder_entry = ttk.Entry(self, textvariable=self.folder)
        self.folder_entry.grid(row=0, column=1, columnspan=3, sticky="ew", padx=px(6))
        self.browse_button = ttk.Button(self, text="Browse…", command=self.browse,
                                        bootstyle="secondary")
        self.browse_button.grid(row=0, column=4, sticky="e")
        line = ttk.Frame(self)
        line.grid(row=1, column=1, columnspan=4, sticky="w", padx=px(6), pady=(px(6), 0))
        self.recursive_check = ttk.Checkbutton(line, text="Include sub-folders",
                                               variable=self.recursive)
        self.recursive_check.pack(side="left", padx=(0, px(24)))
        ttk.Label(line, text="Only files matching:").pack(side="left")
        self.include_entry = ttk.Entry(line, textvariable=self.include, width=22)
        self.include_entry.pack(side="left", padx=px(6))
        ttk.Label(line, text="e.g. *.jpg *.png (empty: every file)",
                  bootstyle="secondary").pack(side="left")
        self.preprocess_check = ttk.Checkbutton(
            self, text=f"Preprocess each image as in the Preprocessing tab ({preprocess_label})",
            variable=self.preprocess)
        self.preprocess_check.grid(row=2, column=1, columnspan=4, sticky="w", padx=px(6),
                                   pady=(px(6), 0))
        self._patient_line()
        self.columnconfigure(1, weight=1)
        for variable in (self.folder, self.recursive, self.include, self.preprocess):
            variable.trace_add("write", lambda *_: on_change())

    def _patient_line(self) -> None:
        """Save results to patient [identifier]  (•) one lesion per image ( ) by prefix."""
        self.patient = tkinter.StringVar(self, "")
        self.group_by = tkinter.StringVar(self, GROUP_CHOICES[0][0])
        line = ttk.Frame(self)
        line.grid(row=3, column=1, columnspan=4, sticky="w", padx=px(6), pady=(px(6), 0))
        ttk.Label(line, text="Save results to patient:").pack(side="left")
        self.patient_entry = ttk.Entry(line, textvariable=self.patient, width=18)
        self.patient_entry.pack(side="left", padx=px(6))
        self.group_radios = [ttk.Radiobutton(line, text=text, value=value,
                                             variable=self.group_by)
                             for value, text in GROUP_CHOICES]
        for radio in self.group_radios:
            radio.pack(side="left", padx=(px(6), 0))
        ttk.Label(line, text="(identifier; empty: not saved)",
                  bootstyle="secondary").pack(side="left", padx=(px(12), 0))

    @property
    def patterns(self) -> tuple[str, ...]:
        """The include patterns (empty: every file)."""
        return split_patterns(self.include.get())

    def browse(self) -> None:
        """Choose the folder in a dialog."""
        chosen = filedialog.askdirectory(parent=self.winfo_toplevel(), mustexist=True,
                                         title="Folder to scan",
                                         initialdir=self.folder.get() or None)
        if chosen:
            self.folder.set(chosen)

    def set_enabled(self, enabled: bool) -> None:
        """Lock the options while a scan runs (they define which scan it is)."""
        state = "normal" if enabled else "disabled"
        for widget in (self.folder_entry, self.browse_button, self.recursive_check,
                       self.include_entry, self.preprocess_check, self.patient_entry,
                       *self.group_radios):
            widget["state"] = state


class FilterBar(ttk.Frame):
    """A filter line and the 'flagged only' / 'failed only' switches.

    Args:
        master: Parent widget.
        on_change: Called with the new :class:`RowFilter` whenever it changes.
    """

    def __init__(self, master: tkinter.Misc, on_change: Callable[[RowFilter], None]) -> None:
        super().__init__(master, padding=(0, 0, 0, px(4)))
        self._on_change = on_change
        self.text = tkinter.StringVar(self)
        self.flagged_only = tkinter.BooleanVar(self, False)
        self.failed_only = tkinter.BooleanVar(self, False)
        ttk.Label(self, text="Filter:").pack(side="left")
        self.entry = ttk.Entry(self, textvariable=self.text, width=28)
        self.entry.pack(side="left", padx=(px(6), px(12)))
        self.flagged_check = ttk.Checkbutton(self, text="Flagged only",
                                             variable=self.flagged_only)
        self.flagged_check.pack(side="left")
        self.failed_check = ttk.Checkbutton(self, text="Failed only", variable=self.failed_only)
        self.failed_check.pack(side="left", padx=(px(12), 0))
        self.count = ttk.Label(self, bootstyle="secondary")
        self.count.pack(side="right")
        for variable in (self.text, self.flagged_only, self.failed_only):
            variable.trace_add("write", lambda *_: self._on_change(self.value()))

    def value(self) -> RowFilter:
        """The filter as set now."""
        return RowFilter(self.text.get().strip(), self.flagged_only.get(), self.failed_only.get())

    def show_count(self, shown: int, total: int) -> None:
        """Say how many rows the filter lets through."""
        text = f"{total:,} files" if shown == total else f"showing {shown:,} of {total:,} files"
        self.count.configure(text=text)

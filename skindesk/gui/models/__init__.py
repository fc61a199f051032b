"""The Models dialog (Analysis ▸ Models…): installed models, their cards and validations.

:mod:`.workbench` is the dialog's one object between widgets and the core
(no Tk); :mod:`.dialog` the window, with :mod:`.model_list`,
:mod:`.validation_tab`, :mod:`.evaluate_flow`, :mod:`.operating_point`
and :mod:`.import_dialog`; :mod:`.hook` opens it from the main window
and switches the window's model when the default changes.
"""

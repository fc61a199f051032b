"""Importing a user's own Keras model: inspect it, write its card, install it.

:func:`.inspection.inspect_model` reads what the model tells,
:func:`.install.plan_card` asks only for the rest (via
:class:`.install.ImportOptions`), :func:`.install.install_model` copies it
into the user's model folder and smoke-tests it.
"""

"""Training new classifier heads on SkinDesk's bundled dermoscopy backbone.

On a CPU, fine-tuning a whole CNN is too slow, so training works on cached
backbone features (a few deterministic augmented views per image) and fits
a small head on them; the head is then joined to the backbone into one
ordinary Keras model that the inference engine runs like any other.

The ``e2e_*`` modules train a whole ``keras.applications`` network end to
end instead (from a local weights file or from scratch), for machines with
a GPU or users with time.
"""

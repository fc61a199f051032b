#!/usr/bin/env bash
# Prepare what a lent GPU machine (JAX, no TensorFlow, no network, uploads of 64 MiB a command)
# needs to run `skindesk train` there: .gpu/a and .gpu/b, each under the upload limit.
#   .gpu/a: Keras and SkinDesk's pure-Python needs as wheels (Python 3.12), the Lite2 ImageNet
#           weights, and the first part of the recipe's train/val images (tar.gz);
#   .gpu/b, .gpu/c, ...: the rest of the images, one upload each.
# Usage: scripts/prepare_device_training.sh RECIPE WEIGHTS_FILE
# On the device: install .gpu/a/whl/*.whl into /tmp/site, copy the weights where the card should
# say they were (e.g. /work/cache), `cat datapart.* | tar xzf - -C ../shared/data`, then
# `KERAS_BACKEND=jax PYTHONPATH=/tmp/site:. scripts/train_lite2_seeds.sh ...` (README:
# "Training on a GPU machine without TensorFlow"). The bundled models/ files are over the
# upload limit on their own: move them out of the checkout while the device is used.
set -euo pipefail
recipe=$1 weights=$2
grep -qx "/.gpu/" .git/info/exclude 2>/dev/null || { mkdir -p .git/info; echo "/.gpu/" >> .git/info/exclude; }
rm -rf .gpu && mkdir -p .gpu/a/whl
py=${PYTHON:-.venv/bin/python}
"$py" -m pip download -q --no-deps --only-binary=:all: --python-version 3.12 --implementation cp \
    --platform manylinux_2_28_x86_64 --platform manylinux_2_17_x86_64 --platform manylinux2014_x86_64 \
    -d .gpu/a/whl "keras==$("$py" -c 'import keras; print(keras.__version__)')" namex optree pydicom platformdirs
cp "$weights" .gpu/a/
"$py" scripts/pack_training_images.py "$recipe" .gpu/images --part-mb 1000
room=$(( 56 * 1024 * 1024 - $(du -sb .gpu/a | cut -f1) ))
tar czf - -C .gpu/images/part0 . | split -b "$room" - .gpu/datapart.
folders=(a b c d e f g h)
index=0
for part in .gpu/datapart.*; do
    mkdir -p ".gpu/${folders[$index]}" && mv "$part" ".gpu/${folders[$index]}/"
    index=$((index + 1))
done
rm -rf .gpu/images
du -sh .gpu/?

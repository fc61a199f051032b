#!/usr/bin/env bash
# Train EfficientNet-Lite2 networks end to end with `skindesk train`, one per seed, in turn.
# Usage: scripts/train_lite2_seeds.sh RECIPE WEIGHTS OUT_DIR EPOCHS SEED...
# Used on a lent GPU machine that has JAX but no TensorFlow (KERAS_BACKEND=jax, see README:
# "Training on a GPU"); it works the same with TensorFlow. Each network: 2 epochs on the frozen
# backbone (FROZEN_EPOCHS), then every layer fine-tuned for up to EPOCHS epochs (plateau schedule, early stopping);
# CLASS_WEIGHT=source-balanced weighs every class the same within each source (see README).
# Run it again after an interruption (a command's time limit, say): a seed whose card exists is
# skipped, one whose run was interrupted goes on from its last saved epoch (--resume).
set -euo pipefail
recipe=$1 weights=$2 out=$3 epochs=$4
shift 4
for seed in "$@"; do
    folder="$out/seed$seed"
    if [ -f "$folder/card.json" ] && [ ! -d "$folder/.checkpoint" ]; then
        echo "seed $seed already trained: $folder"
        continue
    fi
    resume=()
    [ -f "$folder/.checkpoint/state.json" ] && resume=(--resume)
    python3 -m skindesk.cli train --recipe "$recipe" --arch efficientnet-lite2 --base-weights "$weights" \
        --frozen-epochs "${FROZEN_EPOCHS:-2}" --fine-tune-fraction 1 --epochs "$epochs" --seed "$seed" \
        --class-weight "${CLASS_WEIGHT:-balanced}" --no-evaluate "${resume[@]}" \
        --out "$folder" --id "lite2-full-seed$seed" \
        --name "EfficientNet-Lite2, every training image, seed $seed"
    echo "finished seed $seed"
done

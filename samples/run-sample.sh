#!/usr/bin/env bash
# Packs MlNetDigits into a local folder feed, builds samples/DigitsConsumer against that package (by version, from an
# isolated packages folder, so a stale cached package is never used) and samples/MlNetConsumer (ML.NET's official
# packages only). For a small CNN and a small SDCA model trained here from the committed sample: classifies PNGs of
# sample digits with the package, then loads the model in MlNetConsumer and checks that it predicts the same digits as
# the package. Exits non-zero if any step fails, a digit is misclassified or the two apps disagree.
#
#   samples/run-sample.sh
#
# Environment: MLND_SAMPLE_FEED (feed folder, default samples/local-feed), MLND_SAMPLE_VERSION (package version, default
# 0.1.0-local), MLND_SAMPLE_INDICES (test digits to classify as PNGs, default "0 1 2 3 4").
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
feed=${MLND_SAMPLE_FEED:-$root/samples/local-feed}
version=${MLND_SAMPLE_VERSION:-0.1.0-local}
indices=${MLND_SAMPLE_INDICES:-0 1 2 3 4}
packages=$root/samples/.packages
work=$(mktemp -d "${TMPDIR:-/tmp}/mlnd-sample.XXXXXX")
# Kept between runs (ignored by git) so a rerun only rebuilds what changed.
artifacts=$root/samples/.artifacts
trap 'rm -rf "$work"' EXIT
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

step() { printf '== %s\n' "$*"; }

step "pack MlNetDigits $version into $feed"
rm -rf "$feed"
mkdir -p "$feed"
# A private artifacts folder: the Release build for packing never touches the tree's own bin/obj.
MLND_ARTIFACTS="$artifacts" dotnet pack src/MlNetDigits -c Release -o "$feed" -p:Version="$version" -v q -nologo -clp:NoSummary
ls "$feed"/MlNetDigits."$version".nupkg > /dev/null

step "restore and build samples/DigitsConsumer against the package"
# Only MlNetDigits is removed from the isolated folder: its dependencies stay cached there between runs.
rm -rf "$packages/mlnetdigits"
dotnet build samples/DigitsConsumer -c Release -p:MlNetDigitsVersion="$version" -p:RestoreAdditionalProjectSources="$feed" \
    -v q -nologo -clp:NoSummary
app=(dotnet "$root/samples/DigitsConsumer/bin/Release/net10.0/DigitsConsumer.dll")
grep -q "\"MlNetDigits/$version\"" samples/DigitsConsumer/obj/project.assets.json \
    || { echo "the sample did not restore MlNetDigits $version from the feed" >&2; exit 1; }

mlnet_app=(dotnet "$root/samples/MlNetConsumer/bin/Release/net10.0/MlNetConsumer.dll")
step "build samples/MlNetConsumer (Microsoft.ML, Microsoft.ML.OnnxTransformer and Microsoft.ML.OnnxRuntime only)"
dotnet build samples/MlNetConsumer -c Release -v q -nologo -clp:NoSummary
if grep -qi '"MlNetDigits' samples/MlNetConsumer/obj/project.assets.json; then
    echo "MlNetConsumer must not depend on MlNetDigits" >&2
    exit 1
fi

for trainer in cnn sdca; do
    model=$work/$trainer-sample.zip
    step "train a small $trainer model from data/sample with the package"
    "${app[@]}" train data/sample "$model" "$trainer"

    step "make PNGs of sample test digits ${indices} and classify them with the package's DigitClassifier"
    pngs=()
    for i in $indices; do
        pngs+=("$("${app[@]}" make-png data/sample "$i" "$work/digit-$i-label-{label}.png")")
    done
    "${app[@]}" "$model" "${pngs[@]}"

    step "load the $trainer model with ML.NET alone and check it predicts the package's digits"
    "${app[@]}" export-csv "$model" data/sample 200 "$work/digits-$trainer.csv"
    "${mlnet_app[@]}" "$model" "$work/digits-$trainer.csv"
done
step "samples OK"

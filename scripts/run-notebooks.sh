#!/usr/bin/env bash
# Executes notebooks on .NET Interactive's own C# kernel with tools/MlNetDigits.NotebookRunner, as CI does.
#   scripts/run-notebooks.sh                       every notebook in notebooks/, --check: writes nothing; exit 1 names
#                                                  the failing cell, or shows the first output that differs
#   scripts/run-notebooks.sh --write               run them and write the outputs back into the .ipynb files (commit those)
#   scripts/run-notebooks.sh [--write] FILE.ipynb...   only these notebooks
#   scripts/run-notebooks.sh --pack                only (re)pack the library into the local feed, e.g. before opening
#                                                  the notebooks in VS Code
#
# Notebooks load this checkout's library as Polyglot users load a package: from a local folder feed. This script packs
# src/MlNetDigits as MlNetDigits $MLND_NOTEBOOK_VERSION (default 0.1.0-local) into notebooks/local-feed, and removes
# that version from the NuGet package cache, so `#r "nuget: MlNetDigits, 0.1.0-local"` gets this build rather than an
# older one cached under the same version. .NET Interactive's #i takes an absolute folder only; see
# docs/notebooks.md for the first cells of a notebook. Packages from the registry (#r "nuget: Microsoft.ML, 6.0.0")
# restore as usual. The library is packed, and the runner built, only when a source is newer than the last result.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

mode=(--check)
pack_only=false
case "${1:-}" in
  --write) mode=(--write); shift ;;
  --pack) pack_only=true; shift ;;
esac
notebooks=("$@")
[ ${#notebooks[@]} -gt 0 ] || notebooks=(notebooks/*.ipynb)

version=${MLND_NOTEBOOK_VERSION:-0.1.0-local}
feed=$root/notebooks/local-feed
package=$feed/MlNetDigits.$version.nupkg
runner=tools/MlNetDigits.NotebookRunner/bin/Release/net10.0/MlNetDigits.NotebookRunner.dll
stale() { # stale TARGET DIR...: true when TARGET is missing or a source under DIR... is newer
  local target=$1
  shift
  [ ! -f "$target" ] && return 0
  [ -n "$(find "$@" Directory.Build.props Directory.Packages.props \( -name bin -o -name obj \) -prune -o \
    \( -name '*.cs' -o -name '*.csproj' -o -name '*.props' -o -name '*.targets' \) -newer "$target" -print -quit)" ]
}

if stale "$package" src/MlNetDigits src/MlNetDigits.Engine; then
  rm -rf "$feed"
  mkdir -p "$feed"
  # A private artifacts folder: packing never touches the tree's own bin/obj (as samples/run-sample.sh does).
  MLND_ARTIFACTS="$root/notebooks/.artifacts" dotnet pack src/MlNetDigits -c Release -o "$feed" -p:Version="$version" \
    --nologo -v q -clp:NoSummary
  rm -rf "${NUGET_PACKAGES:-$HOME/.nuget/packages}/mlnetdigits/$version"
  echo "notebooks: packed MlNetDigits $version into $feed"
fi
$pack_only && exit 0

if stale "$runner" tools/MlNetDigits.NotebookRunner; then
  env -u MLND_ARTIFACTS dotnet build tools/MlNetDigits.NotebookRunner/MlNetDigits.NotebookRunner.csproj -c Release \
    --nologo -v q -clp:NoSummary
fi
start=$SECONDS
dotnet "$runner" run "${mode[@]}" "${notebooks[@]}"
echo "notebooks: ${#notebooks[@]} ran in $((SECONDS - start)) s"

#!/usr/bin/env bash
# Executes every notebook in notebooks/ with the repository's notebook runner, as CI does.
#   scripts/run-notebooks.sh                  run them all in --check mode: nothing is written; exit 1 names the failing cell
#   scripts/run-notebooks.sh --write          run them and write the outputs back into the .ipynb files (commit those)
#   scripts/run-notebooks.sh [--write] FILE.ipynb...   only these notebooks
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

mode=(--check)
if [ "${1:-}" = "--write" ]; then
  mode=()
  shift
fi
notebooks=("$@")
[ ${#notebooks[@]} -gt 0 ] || notebooks=(notebooks/*.ipynb)

# The notebooks load the library with #r "../src/MlNetDigits/bin/Release/net10.0/MlNetDigits.dll", so it is built
# there (not into $MLND_ARTIFACTS); its package dependencies are copied beside it (CopyLocalLockFileAssemblies). The
# runner is built beside its project too. Each is built only when a source is newer than its dll, so calling this
# script once per notebook (as scripts/test does) after a Release build of the solution costs no extra builds.
library=src/MlNetDigits/bin/Release/net10.0/MlNetDigits.dll
runner=tools/MlNetDigits.NotebookRunner/bin/Release/net10.0/MlNetDigits.NotebookRunner.dll
stale() { # stale TARGET DIR...: true when TARGET is missing or a source under DIR... is newer
  local target=$1
  shift
  [ ! -f "$target" ] && return 0
  [ -n "$(find "$@" Directory.Build.props Directory.Packages.props \( -name bin -o -name obj \) -prune -o \
    \( -name '*.cs' -o -name '*.csproj' -o -name '*.props' \) -newer "$target" -print -quit)" ]
}
if stale "$library" src/MlNetDigits src/MlNetDigits.Engine; then
  env -u MLND_ARTIFACTS dotnet build src/MlNetDigits/MlNetDigits.csproj -c Release --nologo -v q -clp:NoSummary
fi
if stale "$runner" tools/MlNetDigits.NotebookRunner; then
  env -u MLND_ARTIFACTS dotnet build tools/MlNetDigits.NotebookRunner/MlNetDigits.NotebookRunner.csproj -c Release --nologo -v q -clp:NoSummary
fi
start=$SECONDS
dotnet "$runner" "${mode[@]}" "${notebooks[@]}"
echo "notebooks: ${#notebooks[@]} ran in $((SECONDS - start)) s"

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
# there (not into $MLND_ARTIFACTS); its package dependencies are copied beside it (CopyLocalLockFileAssemblies).
env -u MLND_ARTIFACTS dotnet build src/MlNetDigits/MlNetDigits.csproj -c Release --nologo -v q -clp:NoSummary
dotnet build tools/MlNetDigits.NotebookRunner/MlNetDigits.NotebookRunner.csproj -c Release --nologo -v q -clp:NoSummary
start=$SECONDS
dotnet run --no-build --no-launch-profile -c Release --project tools/MlNetDigits.NotebookRunner -- "${mode[@]}" "${notebooks[@]}"
echo "notebooks: ${#notebooks[@]} ran in $((SECONDS - start)) s"

#!/usr/bin/env bash
# `npm run python-interop`: a Python virtual environment in .venv/ with the libraries embedtune is checked
# against (huggingface_hub, datasets, tensorboard, sentence-transformers with torch) from the machine's pip
# index. Best effort: where pip cannot reach them, the interop tests skip saying so. `--retries 0` makes an
# unreachable index fail at once instead of retrying for minutes.
set -uo pipefail
cd "$(dirname "$0")/.."
PACKAGES=(huggingface_hub datasets tensorboard sentence-transformers accelerate pyarrow)
if .venv/bin/python -c "import huggingface_hub, datasets, tensorboard, sentence_transformers, accelerate, pyarrow" 2>/dev/null; then
  echo "python-interop: .venv/ already has ${PACKAGES[*]}"
  exit 0
fi
{ [ -x .venv/bin/python ] || python3 -m venv .venv; } && .venv/bin/pip install -q --disable-pip-version-check --retries 0 --timeout 20 "${PACKAGES[@]}" 2>&1 \
  | grep -v "^WARNING" || true
if .venv/bin/python -c "import huggingface_hub, datasets, tensorboard, sentence_transformers, accelerate, pyarrow" 2>/dev/null; then
  .venv/bin/python -c "import huggingface_hub, datasets, sentence_transformers, transformers, torch; print('python-interop: huggingface_hub', huggingface_hub.__version__, '· datasets', datasets.__version__, '· sentence-transformers', sentence_transformers.__version__, '· transformers', transformers.__version__, '· torch', torch.__version__)"
else
  echo "python-interop: could not install ${PACKAGES[*]} into .venv/; the interop tests will skip"
fi

// The Python environment for interoperability checks against the real libraries embedtune mirrors
// (huggingface_hub, datasets, tensorboard, sentence-transformers + torch): $EMBEDTUNE_PYTHON, else the
// project's .venv/ (made by `npm run python-interop`, which .ci/run calls), else python3. A test that needs a
// module skips, naming the module and that command, where the interpreter cannot import it.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { projectRoot } from "./shared.ts";

export const INTEROP_SETUP_COMMAND = "npm run python-interop";

/** The interpreter the interop tests run. */
export function interopPython(): string {
  if (process.env.EMBEDTUNE_PYTHON) return process.env.EMBEDTUNE_PYTHON;
  const venv = join(projectRoot, ".venv", "bin", "python");
  return existsSync(venv) ? venv : "python3";
}

const importable = new Map<string, boolean>();

/** A node:test `skip` value: false when interopPython() imports every module, otherwise why the test skips. */
export function skipUnlessPython(...modules: string[]): false | string {
  const missing = modules.filter((module) => {
    if (!importable.has(module)) {
      importable.set(module, spawnSync(interopPython(), ["-c", `import ${module}`], { stdio: "ignore" }).status === 0);
    }
    return !importable.get(module);
  });
  return missing.length === 0
    ? false
    : `${interopPython()} cannot import ${missing.join(", ")} (\`${INTEROP_SETUP_COMMAND}\` makes .venv/ with them from the machine's pip index)`;
}

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

const found = new Map<string, boolean>();

/**
 * A node:test `skip` value: false when interopPython() finds every module, otherwise why the test skips. Modules
 * are looked up (importlib.util.find_spec, one process for all), not imported: importing sentence_transformers
 * alone takes seconds.
 */
export function skipUnlessPython(...modules: string[]): false | string {
  const unknown = modules.filter((module) => !found.has(module));
  if (unknown.length > 0) {
    const script = "import importlib.util, sys\nfor name in sys.argv[1:]:\n    try:\n        print(importlib.util.find_spec(name) is not None)\n    except Exception:\n        print(False)";
    const result = spawnSync(interopPython(), ["-c", script, ...unknown], { encoding: "utf8" });
    const answers = result.status === 0 ? result.stdout.trim().split("\n") : [];
    unknown.forEach((module, index) => found.set(module, answers[index] === "True"));
  }
  const missing = modules.filter((module) => !found.get(module));
  return missing.length === 0
    ? false
    : `${interopPython()} cannot import ${missing.join(", ")} (\`${INTEROP_SETUP_COMMAND}\` makes .venv/ with them from the machine's pip index)`;
}

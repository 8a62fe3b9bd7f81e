// `npm run kernel`: registers the project's own tslab (node_modules/.bin/tslab) as the Jupyter kernels
// "tslab" (TypeScript) and "jslab" (JavaScript) — the kernel.json files tslab's own installer writes — in the
// project's .jupyter/ folder only, where Jupyter finds them through JUPYTER_PATH=.jupyter/share/jupyter
// (`npm run notebook` / `npm run lab` set it). That needs no Python and writes nothing outside the project.
// The user's kernel registry is written only on request, `npm run kernel -- --user` (for VS Code or a plain
// `jupyter lab`; it asks the Python that has Jupyter where that registry is), which says in one line which
// tslab the user-wide kernel ran before. It builds dist/ first when missing (notebooks import the kit by
// name, as users do). Where Jupyter is missing it says, in one line, how to get it.

import { spawnSync } from "node:child_process";
import { accessSync, constants, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { delimiter, join } from "node:path";
import { buildDist, distIsReady, PROJECT_ROOT } from "../scripts/build-dist.ts";

export const PROJECT_JUPYTER_PATH = join(PROJECT_ROOT, ".jupyter", "share", "jupyter");
export const KERNEL_NAME = "tslab";
export const PROJECT_TSLAB = join(PROJECT_ROOT, "node_modules", ".bin", "tslab");

/** How to get Jupyter, for one-line messages. */
export const GET_JUPYTER =
  "Debian/Ubuntu: apt-get install -y --no-install-recommends jupyter-notebook jupyter-nbconvert (the browser UI, classic Notebook, and headless runs)" +
  "; elsewhere: pip install jupyterlab nbconvert ipykernel";

/** The kernelspec folder in the project. */
export function projectKernelDirectory(): string {
  return join(PROJECT_JUPYTER_PATH, "kernels", KERNEL_NAME);
}

/** The absolute path of the executable `command` on PATH, if any. */
export function onPath(command: string): string | undefined {
  return (process.env.PATH ?? "")
    .split(delimiter)
    .filter(Boolean)
    .map((directory) => join(directory, command))
    .find((path) => {
      try {
        accessSync(path, constants.X_OK);
        return true;
      } catch {
        return false;
      }
    });
}

/** Pythons to try: $EMBEDTUNE_PYTHON alone when set; else the one that runs `jupyter` on PATH (its shebang), the system python, PATH's. */
function candidatePythons(): string[] {
  if (process.env.EMBEDTUNE_PYTHON) return [process.env.EMBEDTUNE_PYTHON];
  const candidates: string[] = [];
  const jupyter = onPath("jupyter");
  if (jupyter) {
    const shebang = spawnSync("head", ["-n", "1", jupyter], { encoding: "utf8" }).stdout.trim();
    const interpreter = /^#!\s*(\S+)(?:\s+(\S+))?/.exec(shebang);
    if (interpreter) candidates.push(interpreter[1].endsWith("/env") && interpreter[2] ? interpreter[2] : interpreter[1]);
  }
  candidates.push("/usr/bin/python3", "python3", "python");
  return [...new Set(candidates)];
}

/** The first Python that has jupyter_client (kernelspecs, and the kernel tests' driver). */
export function findJupyterPython(): string | undefined {
  return candidatePythons().find((python) => spawnSync(python, ["-c", "import jupyter_client.kernelspec"], { stdio: "ignore" }).status === 0);
}

/** tslab's kernel.json for "tslab" and "jslab", as its python/install.py writes them, running the project's tslab. */
function kernelSpecs(): Record<string, { argv: string[]; display_name: string; language: string }> {
  const argv = [PROJECT_TSLAB, "kernel", "--config-path", "{connection_file}"];
  return {
    tslab: { argv, display_name: "TypeScript", language: "typescript" },
    jslab: { argv: [...argv, "--js"], display_name: "JavaScript", language: "javascript" },
  };
}

/** Writes the kernelspecs into `kernelsDirectory` (a Jupyter data folder's kernels/), each kernel.json atomically. */
function writeKernelSpecs(kernelsDirectory: string): void {
  for (const [name, spec] of Object.entries(kernelSpecs())) {
    const file = join(kernelsDirectory, name, "kernel.json");
    mkdirSync(join(kernelsDirectory, name), { recursive: true });
    writeFileSync(`${file}.tmp-${process.pid}`, JSON.stringify(spec));
    renameSync(`${file}.tmp-${process.pid}`, file);
  }
}

/**
 * Registers the kernels in the project's .jupyter/ and, with `user`, in the registry of the user of `python`
 * (required then); returns the "tslab" kernelspec folders.
 */
export function installKernel(options: { python?: string; user?: boolean } = {}): string[] {
  if (!distIsReady()) buildDist();
  const places = [projectKernelDirectory()];
  if (options.user) {
    if (!options.python) throw new Error("registering the kernel user-wide needs the Python that has Jupyter");
    places.push(userKernelDirectory(options.python));
  }
  for (const place of places) writeKernelSpecs(join(place, ".."));
  return places;
}

/** The user's "tslab" kernelspec folder, where Jupyter of `python` looks (jupyter_data_dir(): $JUPYTER_DATA_DIR, else ~/.local/share/jupyter). */
export function userKernelDirectory(python: string): string {
  const result = spawnSync(python, ["-c", "from jupyter_core.paths import jupyter_data_dir; print(jupyter_data_dir())"], { encoding: "utf8" });
  if (result.status !== 0) throw new Error(`${python} cannot tell Jupyter's data folder: ${result.stderr.trim().split("\n").at(-1)}`);
  return join(result.stdout.trim(), "kernels", KERNEL_NAME);
}

/** The command a kernelspec folder's kernel.json starts (argv[0]), if it has a readable one. */
export function kernelTarget(kernelDirectory: string): string | undefined {
  const file = join(kernelDirectory, "kernel.json");
  if (!existsSync(file)) return undefined;
  try {
    const argv = (JSON.parse(readFileSync(file, "utf8")) as { argv?: unknown }).argv;
    return Array.isArray(argv) && typeof argv[0] === "string" ? argv[0] : undefined;
  } catch {
    return undefined;
  }
}

/** The one line `--user` prints: what the user-wide kernel ran before and runs now. */
function userKernelChange(directory: string, previous: string | undefined): string {
  if (previous === PROJECT_TSLAB) return `The user-wide kernel "${KERNEL_NAME}" (${directory}) already ran this project's tslab: unchanged.`;
  const before = previous === undefined ? "there was none before" : `it replaces ${previous}${existsSync(previous) ? "" : " (no longer there)"}`;
  return `The user-wide kernel "${KERNEL_NAME}" (${directory}) now runs ${PROJECT_TSLAB}; ${before}.`;
}

function main(argv: string[]): number {
  const unknown = argv.filter((argument) => argument !== "--user");
  if (unknown.length > 0) {
    console.error(`embedtune: error: npm run kernel: unknown argument ${unknown[0]} (the only one is --user: also register the kernel user-wide)`);
    return 1;
  }
  const user = argv.includes("--user");
  const python = user ? findJupyterPython() : undefined;
  if (user && !python) {
    console.error(`embedtune: error: jupyter: no Python with Jupyter found (tried ${candidatePythons().join(", ")}), so the user's kernel registry is unknown; install it — ${GET_JUPYTER} — then run npm run kernel -- --user again`);
    return 1;
  }
  const previous = python ? kernelTarget(userKernelDirectory(python)) : undefined;
  const places = installKernel({ python, user });
  console.log(`Jupyter kernel "${KERNEL_NAME}" (TypeScript, ${PROJECT_TSLAB}) registered in:`);
  for (const place of places) console.log(`  ${place}`);
  if (user) console.log(userKernelChange(places[1], previous));
  else console.log(`Jupyter finds it through JUPYTER_PATH=${PROJECT_JUPYTER_PATH}, as npm run notebook sets it (user-wide, for VS Code: npm run kernel -- --user)`);
  if (!onPath("jupyter")) console.log(`The jupyter command is missing; to run or open notebooks: ${GET_JUPYTER}`);
  console.log("Open the notebooks:       npm run notebook   (classic Notebook; npm run lab: JupyterLab)");
  console.log(`Run a notebook headless:  JUPYTER_PATH=${PROJECT_JUPYTER_PATH} jupyter nbconvert --to notebook --execute notebooks/finetune-embeddings.ipynb --output-dir /tmp`);
  return 0;
}

if (process.argv[1] === new URL(import.meta.url).pathname) process.exitCode = main(process.argv.slice(2));

// `npm run kernel`: registers the project's own tslab (node_modules/.bin/tslab) as the Jupyter kernel
// "tslab" (TypeScript; also "jslab", JavaScript) — in the project's .jupyter/ folder (found through
// JUPYTER_PATH=.jupyter/share/jupyter) and in the user's kernel registry, so that jupyter, JupyterLab and
// VS Code find it without settings; a notebook started there still runs the tslab its own project
// installs. It builds dist/ first when missing (notebooks import the kit by name, as users do). Where no
// Python has Jupyter it says, in one line, how to get it, and exits 1.

import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { buildDist, distIsReady, PROJECT_ROOT } from "../scripts/build-dist.ts";

export const PROJECT_JUPYTER_PATH = join(PROJECT_ROOT, ".jupyter", "share", "jupyter");
export const KERNEL_NAME = "tslab";

const GET_JUPYTER =
  "Debian/Ubuntu: apt-get install -y --no-install-recommends jupyter-nbconvert python3-nbconvert jupyter-client python3-ipykernel jupyter-core python3-nbclient" +
  " (JupyterLab: pip install jupyterlab); elsewhere: pip install jupyterlab nbconvert ipykernel";

/** The kernelspec folder in the project. */
export function projectKernelDirectory(): string {
  return join(PROJECT_JUPYTER_PATH, "kernels", KERNEL_NAME);
}

/** Pythons to try: $EMBEDTUNE_PYTHON alone when set; else the one that runs `jupyter` on PATH (its shebang), the system python, PATH's. */
function candidatePythons(): string[] {
  if (process.env.EMBEDTUNE_PYTHON) return [process.env.EMBEDTUNE_PYTHON];
  const candidates: string[] = [];
  const which = spawnSync("sh", ["-c", "command -v jupyter"], { encoding: "utf8" });
  const jupyter = which.status === 0 ? which.stdout.trim() : "";
  if (jupyter) {
    const shebang = spawnSync("head", ["-n", "1", jupyter], { encoding: "utf8" }).stdout.trim();
    const interpreter = /^#!\s*(\S+)(?:\s+(\S+))?/.exec(shebang);
    if (interpreter) candidates.push(interpreter[1].endsWith("/env") && interpreter[2] ? interpreter[2] : interpreter[1]);
  }
  candidates.push("/usr/bin/python3", "python3", "python");
  return [...new Set(candidates)];
}

/** The first Python that can install kernelspecs (jupyter_client and IPython, as tslab's installer needs). */
export function findJupyterPython(): string | undefined {
  return candidatePythons().find(
    (python) => spawnSync(python, ["-c", "import jupyter_client.kernelspec, IPython.utils.tempdir"], { stdio: "ignore" }).status === 0,
  );
}

/** Registers the kernel (project folder, and the user's registry unless projectOnly); returns where. */
export function installKernel(options: { python: string; projectOnly?: boolean }): string[] {
  if (!distIsReady()) buildDist();
  const tslab = join(PROJECT_ROOT, "node_modules", ".bin", "tslab");
  const installs = [["--prefix", join(PROJECT_ROOT, ".jupyter")], ...(options.projectOnly ? [] : [["--user"]])];
  const places: string[] = [];
  for (const [flag, value] of installs) {
    const args = [join(PROJECT_ROOT, "node_modules", "tslab", "python", "install.py"), `--tslab=${tslab}`, value ? `${flag}=${value}` : flag];
    const result = spawnSync(options.python, args, { encoding: "utf8" });
    if (result.status !== 0) throw new Error(`${options.python} ${args.join(" ")} failed: ${result.stderr.trim()}`);
    places.push(flag === "--user" ? userKernelDirectory(options.python) : projectKernelDirectory());
  }
  return places;
}

function userKernelDirectory(python: string): string {
  const result = spawnSync(python, ["-c", "from jupyter_core.paths import jupyter_data_dir; print(jupyter_data_dir())"], { encoding: "utf8" });
  return join(result.status === 0 ? result.stdout.trim() : join(homedir(), ".local", "share", "jupyter"), "kernels", KERNEL_NAME);
}

function main(argv: string[]): number {
  const python = findJupyterPython();
  if (!python) {
    console.error(`embedtune: error: jupyter: no Python with Jupyter found (tried ${candidatePythons().join(", ")}); install it — ${GET_JUPYTER} — then run npm run kernel again`);
    return 1;
  }
  const places = installKernel({ python, projectOnly: argv.includes("--project-only") });
  console.log(`Jupyter kernel "${KERNEL_NAME}" (TypeScript, ${join(PROJECT_ROOT, "node_modules", ".bin", "tslab")}) registered in:`);
  for (const place of places) console.log(`  ${place}`);
  if (!existsSync("/usr/bin/jupyter") && spawnSync("sh", ["-c", "command -v jupyter"]).status !== 0) {
    console.log(`The jupyter command is missing (${python} has the kernel machinery only); to run or open notebooks: ${GET_JUPYTER}`);
  }
  console.log("Run a notebook headless:  jupyter nbconvert --to notebook --execute notebooks/finetune-embeddings.ipynb --output-dir /tmp");
  console.log("Open them:                jupyter lab notebooks/   (or jupyter notebook, or VS Code: kernel \"TypeScript\")");
  return 0;
}

if (process.argv[1] === new URL(import.meta.url).pathname) process.exitCode = main(process.argv.slice(2));

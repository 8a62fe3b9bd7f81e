// `npm run notebook` (classic Jupyter Notebook) and `npm run lab` (JupyterLab): registers the project's tslab
// in .jupyter/ (npm run kernel), then starts the front-end on notebooks/ from the project with
// JUPYTER_PATH=.jupyter/share/jupyter ahead of any other, so the notebooks' kernel "tslab" is this project's
// tslab whatever the user's kernel registry holds — which it leaves alone. Arguments after `--` go to
// jupyter (`npm run notebook -- --no-browser --port 8899`). Where jupyter or the front-end is missing it
// says in one line how to get it and exits 1.

import { spawn, spawnSync } from "node:child_process";
import { delimiter, join } from "node:path";
import { installKernel, KERNEL_NAME, onPath, PROJECT_JUPYTER_PATH, PROJECT_TSLAB } from "../notebooks/install-kernel.ts";
import { PROJECT_ROOT } from "./build-dist.ts";

const FRONT_ENDS = {
  notebook: {
    title: "Jupyter Notebook",
    getIt: "Debian/Ubuntu: apt-get install -y --no-install-recommends jupyter-notebook (classic Notebook); elsewhere: pip install notebook (or pip install jupyterlab, then npm run lab)",
  },
  lab: {
    title: "JupyterLab",
    getIt: "pip install jupyterlab (Debian has no JupyterLab package: apt-get install -y --no-install-recommends jupyter-notebook, then npm run notebook)",
  },
} as const;

type FrontEnd = keyof typeof FRONT_ENDS;

function fail(line: string): number {
  console.error(`embedtune: error: ${line}`);
  return 1;
}

function main(frontEnd: FrontEnd, jupyterArguments: string[]): number | Promise<number> {
  const { title, getIt } = FRONT_ENDS[frontEnd];
  if (!onPath("jupyter")) return fail(`jupyter: not found on PATH, so ${title} cannot start; install it — ${getIt} — then npm run ${frontEnd} again`);
  const version = spawnSync("jupyter", [frontEnd, "--version"], { encoding: "utf8" });
  if (version.status !== 0) return fail(`jupyter ${frontEnd}: not installed (jupyter has no "${frontEnd}" command); install it — ${getIt} — then npm run ${frontEnd} again`);
  installKernel();

  const jupyterPath = [PROJECT_JUPYTER_PATH, process.env.JUPYTER_PATH].filter(Boolean).join(delimiter);
  console.log(`embedtune: ${title} ${version.stdout.trim()} on notebooks/, kernel "${KERNEL_NAME}" = ${PROJECT_TSLAB} (JUPYTER_PATH=${jupyterPath})`);
  const child = spawn("jupyter", [frontEnd, join(PROJECT_ROOT, "notebooks"), ...jupyterArguments], {
    cwd: PROJECT_ROOT,
    stdio: "inherit",
    env: { ...process.env, JUPYTER_PATH: jupyterPath },
  });
  // Signals to the terminal's process group (Ctrl-C, kill %job, a closed terminal) reach jupyter itself, which
  // shuts its kernels down (asking first on Ctrl-C): this process waits for that rather than dying at Ctrl-C.
  // Forwarding them would deliver each twice, and a second SIGTERM breaks jupyter's kernel shutdown.
  process.on("SIGINT", () => {});
  return new Promise((resolve) => child.on("exit", (code, signal) => resolve(code ?? (signal ? 1 : 0))));
}

const [frontEnd, ...jupyterArguments] = process.argv.slice(2);
if (frontEnd !== "notebook" && frontEnd !== "lab") {
  process.exitCode = fail(`scripts/notebook.ts: the first argument must be notebook or lab, not ${frontEnd ?? "nothing"}`);
} else {
  process.exitCode = await main(frontEnd, jupyterArguments);
}

// What the notebooks stand on: `npm ci` (prepare) and `npm run kernel` register the project's own tslab in
// the project's .jupyter/ and leave the user's kernel registry alone; `npm run kernel -- --user` writes there
// and says which tslab it replaces; `npm run notebook` starts Jupyter with JUPYTER_PATH so the project's
// kernel wins over a user-wide "tslab", and says in one line how to get Jupyter where it is missing; the
// build makes the kit importable by its name from CommonJS (Node 20's require of the ESM dist) with types
// where tslab's Node10 resolution looks.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { onPath, projectKernelDirectory } from "../../notebooks/install-kernel.ts";
import { buildDist, distIsReady } from "../../scripts/build-dist.ts";
import { jupyterSkipReason } from "../support/jupyter.ts";
import { projectRoot } from "../support/shared.ts";

const PROJECT_TSLAB = join(projectRoot, "node_modules", ".bin", "tslab");

function runScript(script: string, args: string[], env: Record<string, string> = {}) {
  return spawnSync(process.execPath, ["--import", "tsx", script, ...args], { cwd: projectRoot, encoding: "utf8", env: { ...process.env, ...env } });
}

/** A temporary HOME and JUPYTER_DATA_DIR (inside it), as the environment of a script run. */
function temporaryUser(t: { after: (fn: () => void) => void }): { home: string; dataDirectory: string; env: Record<string, string> } {
  const home = mkdtempSync(join(tmpdir(), "embedtune-home-"));
  t.after(() => rmSync(home, { recursive: true, force: true }));
  const dataDirectory = join(home, "jupyter-data");
  return { home, dataDirectory, env: { HOME: home, JUPYTER_DATA_DIR: dataDirectory } };
}

/** A kernelspec "tslab" in `dataDirectory` that runs another clone's tslab, as `npm ci` there used to leave it. */
function otherClonesKernel(dataDirectory: string, tslab: string): string {
  const directory = join(dataDirectory, "kernels", "tslab");
  mkdirSync(directory, { recursive: true });
  writeFileSync(join(directory, "kernel.json"), JSON.stringify({ argv: [tslab, "kernel", "--config-path", "{connection_file}"], display_name: "TypeScript", language: "typescript" }));
  return join(directory, "kernel.json");
}

function firstArgument(kernelJson: string): string {
  return (JSON.parse(readFileSync(kernelJson, "utf8")) as { argv: string[] }).argv[0];
}

/** Every file and folder under `directory`, relative. */
function contents(directory: string): string[] {
  return readdirSync(directory, { recursive: true, encoding: "utf8" }).sort();
}

test("npm run kernel -- --user without a Python that has Jupyter: one error line saying how to get it, exit 1", () => {
  const result = runScript("notebooks/install-kernel.ts", ["--user"], { EMBEDTUNE_PYTHON: "/nonexistent/python3" });
  assert.equal(result.status, 1);
  const lines = result.stderr.trim().split("\n");
  assert.equal(lines.length, 1, result.stderr);
  assert.match(lines[0], /^embedtune: error: jupyter: no Python with Jupyter found \(tried \/nonexistent\/python3\), so the user's kernel registry is unknown; install it — Debian\/Ubuntu: apt-get install .*jupyter-notebook jupyter-nbconvert.*; elsewhere: pip install jupyterlab nbconvert ipykernel — then run npm run kernel -- --user again$/);
});

test("npm ci's prepare step registers the project's tslab in .jupyter/ and writes nothing in the user's home", { timeout: 300_000 }, (t) => {
  const user = temporaryUser(t);
  const result = runScript("scripts/prepare.ts", [], user.env);
  assert.equal(result.status, 0, result.stderr);
  assert.match(result.stdout, /registered the Jupyter kernel "tslab" \(the project's tslab\) in \.jupyter\/ for npm run notebook; your kernel registry is untouched \(user-wide: npm run kernel -- --user\)/);
  assert.equal(firstArgument(join(projectKernelDirectory(), "kernel.json")), PROJECT_TSLAB);
  assert.deepEqual(contents(user.home), []);
});

test("npm run kernel registers the project's own tslab as the kernels \"tslab\" and \"jslab\" in .jupyter/ only, with no Jupyter needed", (t) => {
  const user = temporaryUser(t);
  const emptyBin = join(user.home, "..", `${user.home.split("/").at(-1)}-bin`);
  mkdirSync(emptyBin);
  t.after(() => rmSync(emptyBin, { recursive: true, force: true }));
  const result = runScript("notebooks/install-kernel.ts", [], { ...user.env, PATH: emptyBin });
  assert.equal(result.status, 0, result.stderr);
  const spec = JSON.parse(readFileSync(join(projectKernelDirectory(), "kernel.json"), "utf8")) as { argv: string[]; language: string };
  assert.deepEqual(spec.argv, [PROJECT_TSLAB, "kernel", "--config-path", "{connection_file}"]);
  assert.equal(spec.language, "typescript");
  const jslab = JSON.parse(readFileSync(join(projectKernelDirectory(), "..", "jslab", "kernel.json"), "utf8")) as { argv: string[]; language: string };
  assert.deepEqual(jslab.argv, [PROJECT_TSLAB, "kernel", "--config-path", "{connection_file}", "--js"]);
  assert.equal(jslab.language, "javascript");
  assert.match(result.stdout, /registered in:\n {2}.*\.jupyter\/share\/jupyter\/kernels\/tslab\nJupyter finds it through JUPYTER_PATH=/);
  assert.match(result.stdout, /\nThe jupyter command is missing; to run or open notebooks: Debian\/Ubuntu: apt-get install -y --no-install-recommends jupyter-notebook jupyter-nbconvert /);
  assert.deepEqual(contents(user.home), []);
});

test("npm run kernel -- --user also registers it user-wide and says which tslab that replaces", { skip: jupyterSkipReason() }, (t) => {
  const user = temporaryUser(t);
  const otherClone = join(user.home, "gone-clone", "node_modules", ".bin", "tslab");
  const userKernel = otherClonesKernel(user.dataDirectory, otherClone);
  const result = runScript("notebooks/install-kernel.ts", ["--user"], user.env);
  assert.equal(result.status, 0, result.stderr);
  assert.equal(firstArgument(userKernel), PROJECT_TSLAB);
  assert.equal(firstArgument(join(user.dataDirectory, "kernels", "jslab", "kernel.json")), PROJECT_TSLAB);
  const directory = join(user.dataDirectory, "kernels", "tslab");
  assert.ok(result.stdout.includes(`\nThe user-wide kernel "tslab" (${directory}) now runs ${PROJECT_TSLAB}; it replaces ${otherClone} (no longer there).\n`), result.stdout);

  const again = runScript("notebooks/install-kernel.ts", ["--user"], user.env);
  assert.ok(again.stdout.includes(`\nThe user-wide kernel "tslab" (${directory}) already ran this project's tslab: unchanged.\n`), again.stdout);
});

test("npm run kernel with an unknown argument: one line naming it and the one there is, exit 1", () => {
  const result = runScript("notebooks/install-kernel.ts", ["--project-only"]);
  assert.equal(result.status, 1);
  assert.equal(result.stderr, "embedtune: error: npm run kernel: unknown argument --project-only (the only one is --user: also register the kernel user-wide)\n");
});

test("npm run notebook / lab without jupyter on PATH: one line saying how to get it, exit 1", (t) => {
  const emptyBin = mkdtempSync(join(tmpdir(), "embedtune-bin-"));
  t.after(() => rmSync(emptyBin, { recursive: true, force: true }));
  const notebook = runScript("scripts/notebook.ts", ["notebook"], { PATH: emptyBin });
  assert.equal(notebook.status, 1);
  assert.equal(notebook.stdout, "");
  assert.match(
    notebook.stderr,
    /^embedtune: error: jupyter: not found on PATH, so Jupyter Notebook cannot start; install it — Debian\/Ubuntu: apt-get install -y --no-install-recommends jupyter-notebook \(classic Notebook\); elsewhere: pip install notebook .*— then npm run notebook again\n$/,
  );
  const lab = runScript("scripts/notebook.ts", ["lab"], { PATH: emptyBin });
  assert.equal(lab.status, 1);
  assert.match(lab.stderr, /^embedtune: error: jupyter: not found on PATH, so JupyterLab cannot start; install it — pip install jupyterlab \(Debian has no JupyterLab package: .*jupyter-notebook, then npm run notebook\) — then npm run lab again\n$/);
});

/** A `jupyter` in a temporary bin/ standing in for a front-end: `<app> --version` as `versions` says, else it prints its cwd, arguments and the kernelspecs the real jupyter resolves in its environment. */
function fakeJupyter(t: { after: (fn: () => void) => void }, versions: Record<string, string>): string {
  const bin = mkdtempSync(join(tmpdir(), "embedtune-bin-"));
  t.after(() => rmSync(bin, { recursive: true, force: true }));
  const versionCases = Object.entries(versions).map(([app, version]) => `  "${app} --version") echo ${version}; exit 0 ;;`);
  const script = [
    "#!/bin/sh",
    'case "$1 $2" in',
    ...versionCases,
    '  *" --version") echo "Jupyter command \\`jupyter-$1\\` not found." >&2; exit 1 ;;',
    "esac",
    'echo "cwd: $PWD"',
    'echo "arguments: $*"',
    `exec ${onPath("jupyter") ?? "jupyter"} kernelspec list --json`,
  ].join("\n");
  writeFileSync(join(bin, "jupyter"), `${script}\n`);
  chmodSync(join(bin, "jupyter"), 0o755);
  return bin;
}

test("npm run lab where jupyter has no lab command: one line saying how to get JupyterLab, exit 1", (t) => {
  const bin = fakeJupyter(t, { notebook: "6.4.12" });
  const result = runScript("scripts/notebook.ts", ["lab"], { PATH: `${bin}:${process.env.PATH}` });
  assert.equal(result.status, 1);
  assert.match(result.stderr, /^embedtune: error: jupyter lab: not installed \(jupyter has no "lab" command\); install it — pip install jupyterlab .* — then npm run lab again\n$/);
});

test("npm run notebook starts jupyter notebook on notebooks/ with JUPYTER_PATH: the project's tslab wins over a user-wide one, which stays", { skip: jupyterSkipReason() }, (t) => {
  const user = temporaryUser(t);
  const otherClone = "/elsewhere/other-clone/node_modules/.bin/tslab";
  const userKernel = otherClonesKernel(user.dataDirectory, otherClone);
  const bin = fakeJupyter(t, { notebook: "6.4.12" });
  const result = runScript("scripts/notebook.ts", ["notebook", "--no-browser", "--port", "8899"], { ...user.env, PATH: `${bin}:${process.env.PATH}`, JUPYTER_PATH: "" });
  assert.equal(result.status, 0, result.stderr);
  const [announcement, cwd, args, ...listing] = result.stdout.split("\n");
  const projectJupyterPath = join(projectRoot, ".jupyter", "share", "jupyter");
  assert.equal(announcement, `embedtune: Jupyter Notebook 6.4.12 on notebooks/, kernel "tslab" = ${PROJECT_TSLAB} (JUPYTER_PATH=${projectJupyterPath})`);
  assert.equal(cwd, `cwd: ${projectRoot}`);
  assert.equal(args, `arguments: notebook ${join(projectRoot, "notebooks")} --no-browser --port 8899`);
  const specs = (JSON.parse(listing.join("\n")) as { kernelspecs: Record<string, { resource_dir: string; spec: { argv: string[] } }> }).kernelspecs;
  assert.equal(specs.tslab.spec.argv[0], PROJECT_TSLAB);
  assert.equal(specs.tslab.resource_dir, projectKernelDirectory());
  assert.equal(firstArgument(userKernel), otherClone);
});

test("after the build, require(\"embedtune\") works from CommonJS and the types sit where Node10 resolution finds them", { timeout: 120_000 }, () => {
  if (!distIsReady()) buildDist();
  const script = 'const kit = require("embedtune"); console.log(typeof kit.loadModel, typeof kit.showPlotly, kit.DEFAULT_DATA_DIRECTORY, kit.EMBEDTUNE_VERSION);';
  const result = spawnSync(process.execPath, ["-e", script], { cwd: join(projectRoot, "notebooks"), encoding: "utf8" });
  assert.equal(result.status, 0, result.stderr);
  const version = (JSON.parse(readFileSync(join(projectRoot, "package.json"), "utf8")) as { version: string }).version;
  assert.equal(result.stdout.trim(), `function function ${join(projectRoot, "data", "pair-score")} ${version}`);
  const linked = join(projectRoot, "node_modules", "embedtune");
  assert.equal((JSON.parse(readFileSync(join(linked, "package.json"), "utf8")) as { types: string }).types, "./index.d.ts");
  assert.ok(existsSync(join(linked, "index.d.ts")));
  assert.ok(existsSync(join(linked, "notebook", "plotly.d.ts")));
});

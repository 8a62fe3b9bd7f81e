// What the notebooks stand on: `npm run kernel` registers the project's own tslab (and says in one line
// how to get Jupyter where there is none); the build makes the kit importable by its name from CommonJS
// (Node 20's require of the ESM dist) with types where tslab's Node10 resolution looks.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { projectKernelDirectory } from "../../notebooks/install-kernel.ts";
import { buildDist, distIsReady } from "../../scripts/build-dist.ts";
import { jupyterSkipReason } from "../support/jupyter.ts";
import { projectRoot } from "../support/shared.ts";

function runKernelScript(args: string[], env: Record<string, string> = {}) {
  return spawnSync(process.execPath, ["--import", "tsx", "notebooks/install-kernel.ts", ...args], { cwd: projectRoot, encoding: "utf8", env: { ...process.env, ...env } });
}

test("npm run kernel without a Python that has Jupyter: one error line saying how to get it, exit 1", () => {
  const result = runKernelScript([], { EMBEDTUNE_PYTHON: "/nonexistent/python3" });
  assert.equal(result.status, 1);
  const lines = result.stderr.trim().split("\n");
  assert.equal(lines.length, 1, result.stderr);
  assert.match(lines[0], /^embedtune: error: jupyter: no Python with Jupyter found \(tried \/nonexistent\/python3\); install it — Debian\/Ubuntu: apt-get install .*jupyter-nbconvert.*python3-ipykernel.*; elsewhere: pip install jupyterlab nbconvert ipykernel — then run npm run kernel again$/);
});

test("npm run kernel registers the project's own tslab as the kernel \"tslab\" in .jupyter/", { skip: jupyterSkipReason() }, () => {
  const result = runKernelScript(["--project-only"]);
  assert.equal(result.status, 0, result.stderr);
  const spec = JSON.parse(readFileSync(join(projectKernelDirectory(), "kernel.json"), "utf8")) as { argv: string[]; language: string };
  assert.deepEqual(spec.argv, [join(projectRoot, "node_modules", ".bin", "tslab"), "kernel", "--config-path", "{connection_file}"]);
  assert.equal(spec.language, "typescript");
  assert.match(result.stdout, /registered in:\n {2}.*\.jupyter\/share\/jupyter\/kernels\/tslab\n/);
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

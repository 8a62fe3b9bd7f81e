// Rebuilding the kit (npm run build, npm ci) while a notebook kernel runs must not kill the kernel: tslab's
// TypeScript watch sees dist/ change and asked for a second debounce timer, which tslab 1.0.22 answered by
// throwing "Unexpected pending rebuildTimer" from a file watcher (an uncaught exception: the kernel died).
// patches/tslab+1.0.22.patch lets the pending timers run together at the next cell.

import assert from "node:assert/strict";
import { test } from "node:test";
import { jupyterSkipReason, prepareNotebookRun } from "../support/jupyter.ts";
import { cellText, runInKernel } from "../support/kernel.ts";

test("npm run build while a kernel has the kit loaded: the next cells still run, with the rebuilt kit", { skip: jupyterSkipReason(), timeout: 300_000 }, () => {
  prepareNotebookRun();
  const cells = runInKernel([
    { code: 'import { loadModel, EMBEDTUNE_VERSION } from "embedtune";\nconst model = await loadModel(undefined, { quiet: true });\nconsole.log(EMBEDTUNE_VERSION);' },
    { code: 'import { execSync } from "node:child_process";\nexecSync("npm run build", { cwd: "..", stdio: "ignore" });\nconsole.log("rebuilt");', timeout: 180 },
    { code: 'await new Promise((resolve) => setTimeout(resolve, 2000));\nconsole.log((await model.encode(["a b"]))[0].length);', timeout: 60 },
    { code: 'import { DEFAULT_DATA_DIRECTORY } from "embedtune";\nconsole.log(typeof DEFAULT_DATA_DIRECTORY);', timeout: 60 },
  ]);
  assert.deepEqual(
    cells.map((cell) => [cell.status, cellText(cell, "stdout").trim()]),
    [
      ["ok", "0.1.0"],
      ["ok", "rebuilt"],
      ["ok", "64"],
      ["ok", "string"],
    ],
    JSON.stringify(cells.map((cell) => cellText(cell))),
  );
});

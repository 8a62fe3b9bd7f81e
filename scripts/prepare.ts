// npm's prepare step (runs at the end of `npm ci` / `npm install` in the project, never when embedtune is
// installed as a dependency elsewhere): the project's patches to its dependencies (patches/, applied by
// patch-package: tslab's shorthand-property and failed-cell fixes), node_modules/.bin/tsc back to the
// project's TypeScript (typescript-bin.ts), then dist/ and the node_modules/embedtune link (build-dist.ts),
// then the tslab kernel in the project's .jupyter/ only (npm run kernel), so `npm run notebook` runs the
// notebooks right after set-up; the user's kernel registry is left alone (user-wide is an explicit
// `npm run kernel -- --user`). A kernel that cannot be registered is reported and never fails the install.
// Without the TypeScript devDependency (npm ci --omit=dev) there is nothing to build with: it says so and
// leaves the install alone.

import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { buildDist, PROJECT_ROOT } from "./build-dist.ts";
import { linkProjectTypeScript } from "./typescript-bin.ts";
import { GET_JUPYTER, installKernel, onPath } from "../notebooks/install-kernel.ts";

const patched = spawnSync(process.execPath, [createRequire(import.meta.url).resolve("patch-package/index.js"), "--error-on-fail"], { cwd: PROJECT_ROOT, encoding: "utf8" });
if (patched.status !== 0) {
  console.error(`embedtune: patches/ could not be applied to node_modules:\n${patched.stdout}${patched.stderr}`);
  process.exit(1);
}

if (!existsSync(join(PROJECT_ROOT, "node_modules", "typescript", "bin", "tsc"))) {
  console.log("embedtune: TypeScript is not installed (dev dependencies omitted?), so dist/ is not built; the notebooks need it: npm install && npm run build");
} else {
  const relinked = linkProjectTypeScript();
  if (relinked.length > 0) console.log(`embedtune: node_modules/.bin/{${relinked.join(",")}} → the project's TypeScript (not tslab's 5.0)`);
  buildDist();
  console.log("embedtune: built dist/ (the kit as JavaScript + types, for notebooks and CommonJS)");
  try {
    installKernel();
    console.log('embedtune: registered the Jupyter kernel "tslab" (the project\'s tslab) in .jupyter/ for npm run notebook; your kernel registry is untouched (user-wide: npm run kernel -- --user)');
    if (!onPath("jupyter")) console.log(`embedtune: no jupyter command found; for the notebooks: ${GET_JUPYTER}`);
  } catch (error) {
    console.log(`embedtune: the Jupyter kernel is not registered (${(error as Error).message.split("\n")[0]}); npm run kernel retries`);
  }
}

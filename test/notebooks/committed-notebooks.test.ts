// The notebooks as committed: small (no outputs, no execution counts), on the tslab kernel, each section
// a markdown cell followed by its code, importing the kit by its package name (as a user's notebook does).

import assert from "node:assert/strict";
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { readNotebook, sourceOf } from "../support/jupyter.ts";
import { projectRoot } from "../support/shared.ts";

const folder = join(projectRoot, "notebooks");
const notebooks = readdirSync(folder).filter((name) => name.endsWith(".ipynb")).sort();

test("the project has the tutorial, the data-exploration and the retrieval notebooks", () => {
  assert.deepEqual(notebooks, ["explore-data.ipynb", "finetune-embeddings.ipynb", "finetune-retrieval.ipynb"]);
});

for (const name of notebooks) {
  test(`${name} is committed without outputs, on the tslab kernel, sections as markdown + code, importing "embedtune"`, () => {
    const path = join(folder, name);
    const notebook = readNotebook(path);
    assert.equal(notebook.metadata.kernelspec?.name, "tslab");
    assert.ok(statSync(path).size < 40_000, `${statSync(path).size} bytes`);
    for (const cell of notebook.cells) {
      if (cell.cell_type === "code") {
        assert.deepEqual(cell.outputs, [], `cell ${cell.id} has outputs`);
        assert.equal((cell as { execution_count?: unknown }).execution_count, null);
      }
    }
    notebook.cells.forEach((cell, i) => {
      if (cell.cell_type === "code") assert.equal(notebook.cells[i - 1]?.cell_type, "markdown", `code cell ${cell.id} follows a markdown cell`);
    });
    const code = notebook.cells.filter((cell) => cell.cell_type === "code").map(sourceOf).join("\n");
    assert.match(code, /from "embedtune";/);
    assert.doesNotMatch(code, /\.\.\/src|\.\.\/dist/);
  });
}

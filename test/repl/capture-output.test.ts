// What the kit writes to stderr while the REPL owns the terminal becomes transcript lines: a progress bar that
// redraws its line — with "\r" or, as cli-progress does, with "cursor to column 1" (ESC[G) — leaves only its
// final state, without escape sequences.
import assert from "node:assert/strict";
import { test } from "node:test";
import { captureProcessOutput } from "../../repl/capture-output.ts";

function transcriptOf(writes: string[]): string[] {
  const lines: string[] = [];
  const restore = captureProcessOutput((entry) => lines.push(...entry.lines));
  try {
    for (const chunk of writes) process.stderr.write(chunk);
  } finally {
    restore();
  }
  return lines;
}

test("a bar redrawn with \\r or ESC[G leaves one line, its final state", () => {
  const bar = (percent: number) => `model.safetensors |${"█".repeat(percent / 10)}| ${percent}%`;
  assert.deepEqual(transcriptOf(["\u001b[?25l", `\u001b[G${bar(0)}`, "\u001b[0K", `\u001b[1G${bar(40)}\u001b[0K`, `\u001b[G${bar(100)}\u001b[0K`, "\n\u001b[?25h"]), [bar(100)]);
  assert.deepEqual(transcriptOf([`${bar(10)}\r`, `${bar(100)}\n`]), [bar(100)]);
  assert.deepEqual(transcriptOf(["embedtune: note: one\nembedtune: note: two\n"]), ["embedtune: note: one", "embedtune: note: two"]);
});

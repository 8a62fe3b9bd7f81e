// Keys: a chunk of typed input split into keys (as tmux or a fast typist delivers them), and the
// line editor's handling of each.

import assert from "node:assert/strict";
import { test } from "node:test";
import type { Key } from "ink";
import { NO_KEY, splitKeys } from "../../repl/keys.ts";
import { editLine, type LineState } from "../../repl/line-editor.ts";

const plain = NO_KEY;

test("a chunk with control characters becomes text runs and one key per control character", () => {
  const events = splitKeys("\u0015model.\t", plain);
  assert.deepEqual(events.map((event) => [event.input, event.key.ctrl, event.key.tab]), [
    ["u", true, false],
    ["model.", false, false],
    ["", false, true],
  ]);
  assert.equal(splitKeys("abc\rdef", plain)[1].key.return, true);
  assert.equal(splitKeys("a", plain).length, 1);
});

test("editing: insert at the cursor, backspace, Ctrl-U, Ctrl-W, Ctrl-A and Ctrl-E", () => {
  const key = (change: Partial<Key>) => ({ ...plain, ...change });
  let line: LineState = { text: "await evaluate", cursor: 5 };
  line = editLine(line, "!", key({}))!;
  assert.deepEqual(line, { text: "await! evaluate", cursor: 6 });
  line = editLine(line, "", key({ delete: true }))!;
  assert.deepEqual(line, { text: "await evaluate", cursor: 5 });
  assert.deepEqual(editLine({ text: "a.b cde", cursor: 7 }, "w", key({ ctrl: true })), { text: "a.b ", cursor: 4 });
  assert.deepEqual(editLine({ text: "abc", cursor: 2 }, "u", key({ ctrl: true })), { text: "c", cursor: 0 });
  assert.equal(editLine({ text: "abc", cursor: 2 }, "a", key({ ctrl: true }))!.cursor, 0);
  assert.equal(editLine({ text: "abc", cursor: 0 }, "e", key({ ctrl: true }))!.cursor, 3);
  assert.equal(editLine({ text: "abc", cursor: 0 }, "", key({ return: true })), undefined);
});

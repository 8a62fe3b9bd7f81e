// The input line's editing keys, as a pure function of (text, cursor) and one key: typing and
// pasting, ← → Home End (and Ctrl-A/E/B/F), Backspace, Ctrl-D as delete-forward, Ctrl-U/K (delete to
// the start / end), Ctrl-W (delete the word before the cursor), Alt-B/F (word left / right).
// Keys it does not handle (Enter, ↑ ↓, Tab, Ctrl-C…) return undefined, for the app to act on.

import type { Key } from "ink";

export interface LineState {
  text: string;
  cursor: number;
}

export const EMPTY_LINE: LineState = { text: "", cursor: 0 };

export function lineAt(text: string): LineState {
  return { text, cursor: text.length };
}

export function editLine(state: LineState, input: string, key: Key): LineState | undefined {
  const { text, cursor } = state;
  const at = (position: number): LineState => ({ text, cursor: Math.max(0, Math.min(text.length, position)) });
  const cut = (from: number, to: number): LineState => ({ text: text.slice(0, from) + text.slice(to), cursor: from });
  if (key.leftArrow || (key.ctrl && input === "b")) return at(key.meta ? wordStart(text, cursor) : cursor - 1);
  if (key.rightArrow || (key.ctrl && input === "f")) return at(key.meta ? wordEnd(text, cursor) : cursor + 1);
  if (key.home || (key.ctrl && input === "a")) return at(0);
  if (key.end || (key.ctrl && input === "e")) return at(text.length);
  // Terminals send DEL (which Ink calls "delete") for the Backspace key.
  if (key.backspace || key.delete) return cursor === 0 ? state : cut(cursor - 1, cursor);
  if (key.ctrl && input === "d") return cut(cursor, cursor + 1);
  if (key.ctrl && input === "u") return cut(0, cursor);
  if (key.ctrl && input === "k") return cut(cursor, text.length);
  if (key.ctrl && input === "w") return cut(wordStart(text, cursor), cursor);
  if (key.meta && input === "b") return at(wordStart(text, cursor));
  if (key.meta && input === "f") return at(wordEnd(text, cursor));
  if (key.ctrl || key.meta || key.return || key.tab || key.upArrow || key.downArrow || key.escape || key.pageUp || key.pageDown) return undefined;
  const typed = input.replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, "");
  if (typed === "") return undefined;
  return { text: text.slice(0, cursor) + typed + text.slice(cursor), cursor: cursor + typed.length };
}

function wordStart(text: string, cursor: number): number {
  let position = cursor;
  while (position > 0 && !/\w/.test(text[position - 1])) position--;
  while (position > 0 && /\w/.test(text[position - 1])) position--;
  return position;
}

function wordEnd(text: string, cursor: number): number {
  let position = cursor;
  while (position < text.length && !/\w/.test(text[position])) position++;
  while (position < text.length && /\w/.test(text[position])) position++;
  return position;
}

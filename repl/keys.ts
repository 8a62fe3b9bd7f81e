// Ink hands over a chunk of plain input as one event, so fast typing, a paste or tmux send-keys can
// deliver "loadP\t" or "\u0015model." at once. This splits such a chunk into keys: runs of text, and
// one key per control character (Enter, Tab, Backspace, Ctrl-letter) with the Key Ink would give it.
// Escape sequences (arrows, Home…) already come one per event and pass through unchanged.

import type { Key } from "ink";

export interface KeyEvent {
  input: string;
  key: Key;
}

/** A Key with nothing pressed. */
export const NO_KEY: Key = {
  upArrow: false, downArrow: false, leftArrow: false, rightArrow: false, pageDown: false, pageUp: false,
  home: false, end: false, return: false, escape: false, ctrl: false, shift: false, tab: false,
  backspace: false, delete: false, meta: false, super: false, hyper: false, capsLock: false, numLock: false,
};

export function splitKeys(input: string, key: Key): KeyEvent[] {
  if (input.length <= 1 || input.startsWith("\u001b") || !/[\u0000-\u001f\u007f]/.test(input)) return [{ input, key }];
  const events: KeyEvent[] = [];
  for (const part of input.match(/[^\u0000-\u001f\u007f]+|[\u0000-\u001f\u007f]/g) ?? []) {
    events.push(part.length > 1 || !/[\u0000-\u001f\u007f]/.test(part) ? { input: part, key: NO_KEY } : controlKey(part));
  }
  return events;
}

function controlKey(character: string): KeyEvent {
  if (character === "\r" || character === "\n") return { input: "", key: { ...NO_KEY, return: true } };
  if (character === "\t") return { input: "", key: { ...NO_KEY, tab: true } };
  if (character === "\u007f") return { input: "", key: { ...NO_KEY, delete: true } };
  if (character === "\b") return { input: "", key: { ...NO_KEY, backspace: true } };
  const code = character.charCodeAt(0);
  if (code >= 1 && code <= 26) return { input: String.fromCharCode(code + 96), key: { ...NO_KEY, ctrl: true } };
  return { input: "", key: NO_KEY };
}

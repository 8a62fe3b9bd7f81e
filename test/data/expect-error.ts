// Assertion for the data tests: `action` throws (or rejects with) the named error class, with a one-line
// message that starts with the expected file/argument and contains every expected fragment.
import assert from "node:assert/strict";

type ErrorClass = abstract new (...args: never[]) => Error;

export async function expectError(action: () => unknown, errorClass: ErrorClass, start: string, ...fragments: string[]): Promise<Error> {
  let caught: unknown;
  try {
    await action();
  } catch (error) {
    caught = error;
  }
  assert.ok(caught !== undefined, `expected ${errorClass.name}, nothing was thrown`);
  assert.ok(caught instanceof errorClass, `expected ${errorClass.name}, got ${String(caught)}`);
  assert.equal(caught.name, errorClass.name);
  assert.ok(caught.message.startsWith(`${start}: `), `message does not start with "${start}: ": ${caught.message}`);
  for (const fragment of fragments) assert.ok(caught.message.includes(fragment), `message lacks "${fragment}": ${caught.message}`);
  assert.ok(!/[\r\n]/.test(caught.message), `message spans lines: ${JSON.stringify(caught.message)}`);
  return caught;
}

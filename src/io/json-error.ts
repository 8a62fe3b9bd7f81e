// JSON parsing for files a model folder brings, with errors that never quote the file: V8's
// JSON.parse message quotes the start of the text (`Unexpected token 'r', "root:x:0:0"... is not valid
// JSON`), which prints the contents of whatever file a hostile folder points at. Here a failed parse is
// re-scanned by a small RFC 8259 checker that reports only what kind of mistake it is and where
// (line and column, both from 1; columns count UTF-16 code units): "unexpected character at line 1,
// column 5". No character of the text ever appears in the description.

export type JsonParseResult = { ok: true; value: unknown } | { ok: false; problem: string };

/** JSON.parse, or a content-free description of the first syntax error. */
export function parseJsonText(text: string): JsonParseResult {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false, problem: describeJsonSyntaxError(text) };
  }
}

/** Where and what the first JSON syntax error in `text` is, without quoting the text. */
export function describeJsonSyntaxError(text: string): string {
  if (text.trim() === "") return "the file is empty";
  const error = findJsonSyntaxError(text);
  // The scanner accepts exactly what JSON.parse accepts; this is a fallback that should not happen.
  if (error === undefined) return "rejected by the JSON parser";
  return `${error.problem} at ${lineAndColumn(text, error.offset)}`;
}

/** "line L, column C" (both from 1) of a UTF-16 offset. */
export function lineAndColumn(text: string, offset: number): string {
  let line = 1;
  let lineStart = 0;
  for (let index = text.indexOf("\n"); index !== -1 && index < offset; index = text.indexOf("\n", index + 1)) {
    line++;
    lineStart = index + 1;
  }
  return `line ${line}, column ${offset - lineStart + 1}`;
}

type Expectation = "value" | "value-or-close" | "key" | "key-or-close" | "colon" | "comma-or-close" | "end";

const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
const NON_JSON_NUMBER = /-?(?:NaN|Infinity)/y;
const ESCAPES = new Set(['"', "\\", "/", "b", "f", "n", "r", "t"]);
const HEX4 = /[0-9a-fA-F]{4}/y;

/** The offset and kind of the first syntax error, or undefined when `text` is valid JSON. Iterative (no recursion). */
export function findJsonSyntaxError(text: string): { offset: number; problem: string } | undefined {
  const length = text.length;
  const stack: ("array" | "object")[] = [];
  let index = 0;
  let expect: Expectation = "value";
  let afterComma = false;
  const afterValue = (): Expectation => (stack.length === 0 ? "end" : "comma-or-close");
  const error = (offset: number, problem: string) => ({ offset, problem });

  for (;;) {
    while (index < length) {
      const code = text.charCodeAt(index);
      if (code !== 0x20 && code !== 0x09 && code !== 0x0a && code !== 0x0d) break;
      index++;
    }
    if (index >= length) return expect === "end" ? undefined : error(length, "unexpected end of file");
    const char = text[index];
    if (index === 0 && char === "\ufeff") return error(0, "unexpected byte order mark (BOM)");
    const commaBefore = afterComma;
    afterComma = false;

    if (expect === "value-or-close" && char === "]") {
      stack.pop();
      index++;
      expect = afterValue();
      continue;
    }
    if (expect === "key-or-close" && char === "}") {
      stack.pop();
      index++;
      expect = afterValue();
      continue;
    }
    switch (expect) {
      case "value":
      case "value-or-close": {
        if (char === "{") {
          stack.push("object");
          index++;
          expect = "key-or-close";
        } else if (char === "[") {
          stack.push("array");
          index++;
          expect = "value-or-close";
        } else if (char === '"') {
          const end = scanString(text, index);
          if (typeof end !== "number") return end;
          index = end;
          expect = afterValue();
        } else if (char === "-" || (char >= "0" && char <= "9")) {
          NON_JSON_NUMBER.lastIndex = index;
          if (NON_JSON_NUMBER.test(text)) return error(index, "NaN or Infinity, which JSON does not allow");
          NUMBER.lastIndex = index;
          if (!NUMBER.test(text)) return error(index, "invalid number");
          index = NUMBER.lastIndex;
          expect = afterValue();
        } else if (char === "N" || char === "I") {
          NON_JSON_NUMBER.lastIndex = index;
          return error(index, NON_JSON_NUMBER.test(text) ? "NaN or Infinity, which JSON does not allow" : "unexpected character");
        } else {
          const literal = ["true", "false", "null"].find((word) => word[0] === char);
          if (literal === undefined) {
            const trailingComma = commaBefore && char === "]";
            return error(index, trailingComma ? "trailing comma" : "unexpected character");
          }
          for (let offset = 0; offset < literal.length; offset++) {
            if (index + offset >= length) return error(length, "unexpected end of file");
            if (text[index + offset] !== literal[offset]) return error(index + offset, "unexpected character");
          }
          index += literal.length;
          expect = afterValue();
        }
        break;
      }
      case "key":
      case "key-or-close": {
        if (char !== '"') return error(index, char === "}" ? "trailing comma" : "expected a property name in double quotes");
        const end = scanString(text, index);
        if (typeof end !== "number") return end;
        index = end;
        expect = "colon";
        break;
      }
      case "colon":
        if (char !== ":") return error(index, "expected ':' after a property name");
        index++;
        expect = "value";
        break;
      case "comma-or-close": {
        const container = stack[stack.length - 1];
        const close = container === "array" ? "]" : "}";
        if (char === ",") {
          index++;
          afterComma = true;
          expect = container === "array" ? "value" : "key";
        } else if (char === close) {
          stack.pop();
          index++;
          expect = afterValue();
        } else {
          return error(index, `expected ',' or '${close}'`);
        }
        break;
      }
      case "end":
        return error(index, "unexpected text after the JSON value");
    }
  }
}

/** Scans the string starting at the quote at `start`; the offset after its closing quote, or the error. */
function scanString(text: string, start: number): number | { offset: number; problem: string } {
  let index = start + 1;
  for (;;) {
    if (index >= text.length) return { offset: start, problem: "unterminated string" };
    const code = text.charCodeAt(index);
    if (code === 0x22) return index + 1;
    if (code < 0x20) return { offset: index, problem: "control character (such as a raw newline) inside a string" };
    if (code === 0x5c) {
      const escaped = text[index + 1];
      if (escaped === "u") {
        HEX4.lastIndex = index + 2;
        if (!HEX4.test(text)) return { offset: index, problem: "invalid \\u escape in a string" };
        index += 6;
      } else if (escaped !== undefined && ESCAPES.has(escaped)) {
        index += 2;
      } else {
        return { offset: index, problem: escaped === undefined ? "unterminated string" : "invalid escape in a string" };
      }
      continue;
    }
    index++;
  }
}

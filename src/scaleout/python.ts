// Python source text for values: pythonLiteral turns JSON-like data (strings, finite numbers, booleans,
// null, arrays, plain objects) into a Python literal that evaluates to the same value; `code` marks a
// piece of Python that is written as it is (an enum member, a function, a constructor call).

/** A piece of Python source written verbatim (e.g. `BatchSamplers.NO_DUPLICATES`, `util.cos_sim`). */
export class PythonCode {
  constructor(readonly source: string) {}
}

export function code(source: string): PythonCode {
  return new PythonCode(source);
}

/** A Python literal equal to `value` (PythonCode as it is). Throws on values Python has no literal for here. */
export function pythonLiteral(value: unknown): string {
  if (value instanceof PythonCode) return value.source;
  if (value === null || value === undefined) return "None";
  if (typeof value === "boolean") return value ? "True" : "False";
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new Error(`${value} has no Python literal here`);
    return String(value);
  }
  // JSON's string escapes (\" \\ \n \uXXXX …) mean the same in a Python string literal.
  if (typeof value === "string") return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(pythonLiteral).join(", ")}]`;
  if (value instanceof Set) return value.size === 0 ? "set()" : `{${[...value].map(pythonLiteral).join(", ")}}`;
  if (typeof value === "object") {
    return `{${Object.entries(value as Record<string, unknown>).map(([key, item]) => `${JSON.stringify(key)}: ${pythonLiteral(item)}`).join(", ")}}`;
  }
  throw new Error(`a ${typeof value} has no Python literal`);
}

/** `name(arg, key=value, …)` with one keyword per line when it would be long. */
export function pythonCall(callee: string, positional: readonly string[], keywords: Readonly<Record<string, unknown>>, indent = ""): string {
  const parts = [...positional, ...Object.entries(keywords).map(([key, value]) => `${key}=${pythonLiteral(value)}`)];
  const oneLine = `${callee}(${parts.join(", ")})`;
  if (oneLine.length + indent.length <= 100 && !oneLine.includes("\n")) return oneLine;
  const inner = `${indent}    `;
  return `${callee}(\n${parts.map((part) => `${inner}${part.replaceAll("\n", `\n${inner}`)},`).join("\n")}\n${indent})`;
}

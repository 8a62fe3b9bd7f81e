// Named errors for user mistakes. Each carries a one-line message that names the file, field or
// argument and what is wrong; the CLI prints exactly that line (no stack trace) and exits non-zero.

/** Base class: anything the user can fix (bad file, bad argument). Bugs stay plain Errors. */
export class EmbedtuneError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** A model folder or one of its files is missing, unreadable or inconsistent. */
export class ModelLoadError extends EmbedtuneError {
  constructor(readonly file: string, detail: string) {
    super(`${file}: ${detail}`);
  }
}

/** A safetensors file is malformed (header, offsets, dtype, truncation). */
export class SafetensorsError extends ModelLoadError {}

/** An argument given to a function or a CLI command is impossible. */
export class ArgumentError extends EmbedtuneError {
  constructor(readonly argument: string, detail: string) {
    super(`${argument}: ${detail}`);
  }
}

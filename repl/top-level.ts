// Makes one input's top-level declarations outlive it, the way node's REPL handles top-level await:
// the input becomes the body of an async function that the evaluator runs inside `with (scope)`, and
//   const / let / var PATTERN = value  →  (PATTERN = value);        (the names are created in the scope first)
//   function f() {}                    →  f = function f() {};      (moved to the top: still hoisted)
//   class A {}                         →  A = class A {};
//   import x, { a as b } from "m"      →  ({ default: x, a: b } = await importModule("m"));
//   import("m") anywhere               →  importModule("m")
// A final expression statement becomes the function's return value (what the REPL shows).
// The input is JavaScript as esbuild prints it (transpile.ts): one statement after another, with semicolons.

import { parse, type AnyNode, type ImportDeclaration, type Node, type Pattern, type Program, type VariableDeclaration } from "acorn";

export interface RewrittenInput {
  /** The async function's body. */
  body: string;
  /** Names the input declares at top level, to create in the scope before it runs. */
  declaredNames: string[];
  /** True when the last statement is an expression, whose value the body returns. */
  returnsValue: boolean;
}

interface Edit {
  start: number;
  end: number;
  text: string;
}

export function rewriteTopLevel(code: string, importFunctionName: string): RewrittenInput {
  const source = replaceDynamicImports(code, importFunctionName);
  const program = parseProgram(source);
  const text = (node: Node) => source.slice(node.start, node.end);
  const declared = new Set<string>();
  const hoisted: string[] = [];
  const edits: Edit[] = [];
  const statements = program.body;
  let returnsValue = false;

  statements.forEach((statement, index) => {
    const node = unwrapExport(statement);
    const replace = (replacement: string) => edits.push({ start: statement.start, end: statement.end, text: replacement });
    if (node === undefined) {
      replace("");
    } else if (node.type === "VariableDeclaration") {
      replace(declarationAsAssignments(node, text, declared));
    } else if (node.type === "FunctionDeclaration" && node.id) {
      declared.add(node.id.name);
      hoisted.push(`${node.id.name} = ${text(node)};`);
      replace("");
    } else if (node.type === "ClassDeclaration" && node.id) {
      declared.add(node.id.name);
      replace(`${node.id.name} = ${text(node)};`);
    } else if (node.type === "ImportDeclaration") {
      replace(importAsAssignment(node, text, declared, importFunctionName));
    } else if (node.type === "ExpressionStatement" && index === statements.length - 1) {
      returnsValue = true;
      replace(`return (${text(node.expression)});`);
    } else if (node !== statement) {
      replace(node.type === "ExpressionStatement" ? `${text(node.expression)};` : text(node));
    }
  });

  let body = source;
  for (const edit of edits.sort((a, b) => b.start - a.start)) {
    body = body.slice(0, edit.start) + edit.text + body.slice(edit.end);
  }
  return { body: [...hoisted, body].join("\n"), declaredNames: [...declared], returnsValue };
}

/** `export const x = 1` is the declaration; `export default e` is the expression; other exports do nothing. */
function unwrapExport(statement: Program["body"][number]): AnyNode | undefined {
  if (statement.type === "ExportNamedDeclaration") return statement.declaration ?? undefined;
  if (statement.type === "ExportAllDeclaration") return undefined;
  if (statement.type === "ExportDefaultDeclaration") {
    const declaration = statement.declaration;
    if (declaration.type === "FunctionDeclaration" || declaration.type === "ClassDeclaration") return declaration.id ? declaration : undefined;
    return { type: "ExpressionStatement", expression: declaration, start: declaration.start, end: declaration.end } as AnyNode;
  }
  return statement;
}

function declarationAsAssignments(node: VariableDeclaration, text: (node: Node) => string, declared: Set<string>): string {
  const assignments: string[] = [];
  for (const declarator of node.declarations) {
    const names = patternNames(declarator.id);
    names.forEach((name) => declared.add(name));
    if (declarator.init) assignments.push(`(${text(declarator.id)} = ${text(declarator.init)});`);
    // `let x;` starts x afresh; `var x;` keeps the value x had, as a redeclared var does.
    else if (node.kind !== "var") assignments.push(...names.map((name) => `(${name} = undefined);`));
  }
  return assignments.join(" ");
}

function importAsAssignment(node: ImportDeclaration, text: (node: Node) => string, declared: Set<string>, importFunctionName: string): string {
  const load = `await ${importFunctionName}(${text(node.source)})`;
  const namespace = node.specifiers.find((specifier) => specifier.type === "ImportNamespaceSpecifier");
  const statements: string[] = [];
  if (namespace) {
    declared.add(namespace.local.name);
    statements.push(`(${namespace.local.name} = ${load});`);
  }
  const fields = node.specifiers.flatMap((specifier) => {
    if (specifier.type === "ImportNamespaceSpecifier") return [];
    declared.add(specifier.local.name);
    if (specifier.type === "ImportDefaultSpecifier") return [`default: ${specifier.local.name}`];
    const imported = specifier.imported.type === "Identifier" ? specifier.imported.name : JSON.stringify(specifier.imported.value);
    return [`${imported}: ${specifier.local.name}`];
  });
  if (fields.length > 0) statements.push(`({ ${fields.join(", ")} } = ${namespace ? namespace.local.name : load});`);
  if (statements.length === 0) statements.push(`${load};`);
  return statements.join(" ");
}

/** The names a binding pattern declares: `{ a, b: [c, ...d], e = 1 }` → a, c, d, e. */
function patternNames(pattern: Pattern): string[] {
  switch (pattern.type) {
    case "Identifier":
      return [pattern.name];
    case "ObjectPattern":
      return pattern.properties.flatMap((property) => patternNames(property.type === "RestElement" ? property.argument : property.value));
    case "ArrayPattern":
      return pattern.elements.flatMap((element) => (element ? patternNames(element) : []));
    case "AssignmentPattern":
      return patternNames(pattern.left);
    case "RestElement":
      return patternNames(pattern.argument);
    default:
      return [];
  }
}

function parseProgram(source: string): Program {
  const options = { ecmaVersion: "latest", allowAwaitOutsideFunction: true, allowReturnOutsideFunction: true, allowHashBang: true } as const;
  try {
    return parse(source, { ...options, sourceType: "module" });
  } catch {
    // Sloppy-mode code (a `with`, an octal literal) is not a module but is still a script.
    return parse(source, { ...options, sourceType: "script", allowImportExportEverywhere: true });
  }
}

function replaceDynamicImports(code: string, importFunctionName: string): string {
  if (!/\bimport\s*\(/.test(code)) return code;
  const starts: number[] = [];
  visit(parseProgram(code), (node) => {
    if (node.type === "ImportExpression") starts.push(node.start);
  });
  let result = code;
  for (const start of starts.sort((a, b) => b - a)) result = result.slice(0, start) + importFunctionName + result.slice(start + "import".length);
  return result;
}

function visit(node: unknown, callback: (node: AnyNode) => void): void {
  if (Array.isArray(node)) {
    for (const child of node) visit(child, callback);
    return;
  }
  if (node === null || typeof node !== "object" || typeof (node as { type?: unknown }).type !== "string") return;
  callback(node as AnyNode);
  for (const [key, value] of Object.entries(node)) {
    if (key !== "loc" && value !== null && typeof value === "object") visit(value, callback);
  }
}

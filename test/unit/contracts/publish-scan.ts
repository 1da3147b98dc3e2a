/**
 * Static view of what the code publishes: every `.publish(` / `.publishRaw(` call in shared/ and functions/
 * with the topic it names, and the runtime import graph from each function's entry point.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import * as ts from 'typescript';
import { filesUnder, ROOT } from './schema-fixtures';

export interface PublishSite {
  file: string;
  line: number;
  method: 'publish' | 'publishRaw';
  /** The topic named by a string literal or a string constant; undefined when the topic is an expression. */
  topic?: string;
  /** The first argument is a parameter of an enclosing function: a forwarding wrapper of an EventBus. */
  forwarded: boolean;
  text: string;
}

export function sourceFiles(): string[] {
  return ['shared', 'functions']
    .flatMap((d) => filesUnder(join(ROOT, d)).map((f) => `${d}/${f}`))
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts') && !f.startsWith('shared/contracts/generated/'));
}

function parse(file: string, text = readFileSync(join(ROOT, file), 'utf8')): ts.SourceFile {
  return ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
}

function stringValue(e: ts.Expression): string | undefined {
  let x = e;
  while (
    ts.isAsExpression(x) ||
    ts.isSatisfiesExpression(x) ||
    ts.isParenthesizedExpression(x) ||
    ts.isTypeAssertionExpression(x)
  )
    x = x.expression;
  return ts.isStringLiteral(x) || ts.isNoSubstitutionTemplateLiteral(x) ? x.text : undefined;
}

/** Every `const NAME = 'literal'` (typed TopicName, `as TopicName`, or plain) in the file. */
function stringConstants(sf: ts.SourceFile): Map<string, string> {
  const out = new Map<string, string>();
  const visit = (n: ts.Node) => {
    if (
      ts.isVariableDeclarationList(n) &&
      (n.flags & ts.NodeFlags.Const) !== 0 &&
      n.declarations.length > 0
    ) {
      for (const d of n.declarations) {
        const v = d.initializer && stringValue(d.initializer);
        if (ts.isIdentifier(d.name) && v !== undefined) out.set(d.name.text, v);
      }
    }
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return out;
}

function isParameterOfEnclosingFunction(id: ts.Identifier): boolean {
  for (let n: ts.Node | undefined = id.parent; n; n = n.parent) {
    if (ts.isFunctionLike(n) && n.parameters.some((p) => ts.isIdentifier(p.name) && p.name.text === id.text))
      return true;
  }
  return false;
}

/** Publish calls in one source text (exported so the scanner itself can be tested on a snippet). */
export function publishSitesIn(file: string, text?: string): PublishSite[] {
  const sf = parse(file, text);
  const constants = stringConstants(sf);
  const sites: PublishSite[] = [];
  const visit = (n: ts.Node) => {
    if (
      ts.isCallExpression(n) &&
      ts.isPropertyAccessExpression(n.expression) &&
      (n.expression.name.text === 'publish' || n.expression.name.text === 'publishRaw') &&
      n.arguments.length > 0
    ) {
      const arg = n.arguments[0];
      const topic = stringValue(arg) ?? (ts.isIdentifier(arg) ? constants.get(arg.text) : undefined);
      sites.push({
        file,
        line: sf.getLineAndCharacterOfPosition(n.getStart(sf)).line + 1,
        method: n.expression.name.text,
        topic,
        forwarded: topic === undefined && ts.isIdentifier(arg) && isParameterOfEnclosingFunction(arg),
        text: n.getText(sf).split('\n')[0],
      });
    }
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return sites;
}

export function publishSites(): PublishSite[] {
  return sourceFiles().flatMap((f) => publishSitesIn(f));
}

function resolveModule(from: string, spec: string): string | undefined {
  const base = resolve(ROOT, dirname(from), spec);
  for (const candidate of [`${base}.ts`, join(base, 'index.ts'), base]) {
    if (candidate.endsWith('.ts') && existsSync(candidate))
      return relative(ROOT, candidate).split('\\').join('/');
  }
  return undefined;
}

/** Relative modules a file loads at run time: type-only imports are erased and do not count. */
export function runtimeImports(file: string): string[] {
  const sf = parse(file);
  const specs: string[] = [];
  const visit = (n: ts.Node) => {
    if (ts.isImportDeclaration(n) && ts.isStringLiteral(n.moduleSpecifier)) {
      const clause = n.importClause;
      const typeOnly =
        clause?.isTypeOnly ||
        (clause !== undefined &&
          clause.name === undefined &&
          clause.namedBindings !== undefined &&
          ts.isNamedImports(clause.namedBindings) &&
          clause.namedBindings.elements.length > 0 &&
          clause.namedBindings.elements.every((e) => e.isTypeOnly));
      if (!typeOnly) specs.push(n.moduleSpecifier.text);
    } else if (ts.isExportDeclaration(n) && n.moduleSpecifier && ts.isStringLiteral(n.moduleSpecifier)) {
      if (!n.isTypeOnly) specs.push(n.moduleSpecifier.text);
    } else if (
      ts.isCallExpression(n) &&
      n.expression.kind === ts.SyntaxKind.ImportKeyword &&
      n.arguments.length === 1 &&
      ts.isStringLiteral(n.arguments[0])
    ) {
      specs.push(n.arguments[0].text);
    }
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return specs
    .filter((s) => s.startsWith('.'))
    .map((s) => resolveModule(file, s))
    .filter((f): f is string => f !== undefined && !f.endsWith('.json'));
}

/** Every source file reachable at run time from entry (entry included). */
export function runtimeClosure(entry: string): Set<string> {
  const seen = new Set<string>();
  const stack = [entry];
  while (stack.length) {
    const f = stack.pop() as string;
    if (seen.has(f)) continue;
    seen.add(f);
    stack.push(...runtimeImports(f));
  }
  return seen;
}

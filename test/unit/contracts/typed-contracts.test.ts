/**
 * The compiler carries the contracts: EventBus.publish is typed by the topic → message map and Warehouse.insert
 * by the table → row map, both generated from shared/contracts/topology.json and schemas/ (npm run gen). Compiles
 * typed-contracts.ts without its @ts-expect-error markers and expects exactly the marked lines to fail.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ts from 'typescript';

const ROOT = join(__dirname, '..', '..', '..');
const FILE = join(__dirname, 'typed-contracts.ts');

it('refuses the wrong message on a topic, raw bytes on a schema topic and the wrong row in a table', () => {
  const marked = readFileSync(FILE, 'utf8');
  const lines = marked.split('\n');
  const expected = lines.flatMap((l, i) => (l.includes('@ts-expect-error') ? [i + 2] : []));
  // Same line numbers, markers blanked: every marked statement must now be a compile error.
  const unmarked = lines.map((l) => (l.includes('@ts-expect-error') ? '' : l)).join('\n');
  const config = ts.getParsedCommandLineOfConfigFile(
    join(ROOT, 'tsconfig.json'),
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (d) => {
        throw new Error(String(d.messageText));
      },
    },
  );
  if (!config) throw new Error('tsconfig.json not readable');
  const host = ts.createCompilerHost(config.options);
  const read = host.readFile.bind(host);
  host.readFile = (f) => (f === FILE ? unmarked : read(f));
  const program = ts.createProgram([FILE], { ...config.options, noEmit: true }, host);
  const errors = ts
    .getPreEmitDiagnostics(program)
    .filter((d) => d.file?.fileName === FILE)
    .map((d) => d.file!.getLineAndCharacterOfPosition(d.start ?? 0).line + 1);
  expect(expected).toHaveLength(5);
  expect([...new Set(errors)].sort((a, b) => a - b)).toEqual(expected);
});

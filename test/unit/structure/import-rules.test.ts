/**
 * The import rules of `npm run lint` (dependency-cruiser with .dependency-cruiser.cjs) hold on the tree and catch
 * each kind of upward import. Each probe is a small tree of its own with the project's layout, cruised with the
 * project's own configuration, so the check is the one lint runs.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

const ROOT = join(__dirname, '..', '..', '..');
const CONFIG = join(ROOT, '.dependency-cruiser.cjs');
const DEPCRUISE = join(ROOT, 'node_modules', '.bin', 'depcruise');

function cruise(cwd: string, dirs: string[]): { status: number | null; out: string } {
  const r = spawnSync(DEPCRUISE, ['--config', CONFIG, '--output-type', 'err', ...dirs], {
    cwd,
    encoding: 'utf8',
  });
  return { status: r.status, out: r.stdout + r.stderr };
}

/** A throwaway tree: files by path, each importing what the test says. */
function tree(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'imports-'));
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: { module: 'commonjs' } }));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

describe('import direction (npm run lint)', () => {
  it('holds on the project tree', () => {
    const r = cruise(ROOT, ['shared', 'functions', 'local-stack', 'cli', 'bench']);
    expect(r.out).not.toMatch(/error /);
    expect(r.status).toBe(0);
  });

  it.each([
    [
      'library-imports-no-app',
      'shared/platform/x.ts',
      "import { startLocalStack } from '../../local-stack/stack';\nexport const y = startLocalStack;\n",
    ],
    [
      'library-imports-no-app',
      'shared/use-cases/x.ts',
      "import { w } from '../../functions/ingest-prices/wiring';\nexport const y = w;\n",
    ],
    [
      'domain-imports-only-domain-ports-contracts',
      'shared/domain/x.ts',
      "import { p } from '../platform/logger';\nexport const y = p;\n",
    ],
    [
      'domain-imports-only-domain-ports-contracts',
      'shared/domain/y.ts',
      "import pad from 'left-pad';\nexport const y = pad;\n",
    ],
    [
      'use-cases-import-no-adapters',
      'shared/use-cases/x.ts',
      "import { a } from '../adapters/gcp/pubsub-event-bus';\nexport const y = a;\n",
    ],
    [
      'platform-imports-no-adapters',
      'shared/platform/x.ts',
      "import { a } from '../adapters/gcp/pubsub-event-bus';\nexport const y = a;\n",
    ],
    [
      'deployed-code-imports-no-local-stack',
      'functions/ingest-prices/x.ts',
      "import { startLocalStack } from '../../local-stack/stack';\nexport const y = startLocalStack;\n",
    ],
  ])('%s: refuses %s importing upward', (rule, from, text) => {
    const dir = tree({
      [from]: text,
      'local-stack/stack.ts': 'export const startLocalStack = 1;\n',
      'functions/ingest-prices/wiring.ts': 'export const w = 1;\n',
      'shared/platform/logger.ts': 'export const p = 1;\n',
      'shared/adapters/gcp/pubsub-event-bus.ts': 'export const a = 1;\n',
      'node_modules/left-pad/package.json': '{ "name": "left-pad", "main": "index.js" }',
      'node_modules/left-pad/index.js': 'module.exports = 1;\n',
    });
    try {
      const r = cruise(dir, ['shared', 'functions']);
      expect(r.status).not.toBe(0);
      expect(r.out).toContain(`error ${rule}: ${from}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const sdkDir = path.resolve(__dirname, '../../sdk');
const SIZE_BUDGET_BYTES = 8 * 1024;

describe('the published SDK', () => {
  it(`bundles to at most ${SIZE_BUDGET_BYTES} bytes minified and gzipped`, async () => {
    const result = await build({
      entryPoints: [path.join(sdkDir, 'src/index.ts')],
      bundle: true,
      minify: true,
      format: 'esm',
      platform: 'neutral',
      target: 'es2022',
      write: false,
    });
    const bundle = result.outputFiles[0].contents;
    const gzipped = gzipSync(bundle).length;
    process.stdout.write(`@fusion-risk/sdk: ${bundle.length} B minified, ${gzipped} B gzipped\n`);
    expect(gzipped).toBeGreaterThan(1000); // the bundle really holds the client
    expect(gzipped).toBeLessThanOrEqual(SIZE_BUDGET_BYTES);
  });

  describe('npm pack', () => {
    // prepack builds sdk/dist; remove it so the repository's lint and typecheck never see build output.
    afterAll(() => rmSync(path.join(sdkDir, 'dist'), { recursive: true, force: true }));

    it('ships the built entry point, its types, the manifest and the README, and no sources', () => {
      const output = execFileSync('npm', ['pack', '--json', '--dry-run'], {
        cwd: sdkDir,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      // The prepack build's own output comes before the JSON report.
      const [report] = JSON.parse(output.slice(output.indexOf('\n[') + 1)) as [
        { name: string; version: string; files: { path: string }[] },
      ];
      const files = report.files.map((f) => f.path);
      expect(report.name).toBe('@fusion-risk/sdk');
      expect(report.version).toBe('0.1.0');
      expect(files).toEqual(
        expect.arrayContaining(['dist/index.js', 'dist/index.d.ts', 'package.json', 'README.md']),
      );
      expect(
        files.filter((f) => f.startsWith('src/') || (f.endsWith('.ts') && !f.endsWith('.d.ts'))),
      ).toEqual([]);
      expect(files.filter((f) => f.startsWith('examples/') || f.startsWith('tsconfig'))).toEqual([]);
    }, 120_000);
  });
});

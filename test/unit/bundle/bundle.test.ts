/**
 * bin/bundle.mjs against a throw-away project: a topology with a real HTTP function, a CloudEvent function, a
 * function whose entry file is missing and one importing a package the root package.json lacks.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inflateRawSync } from 'node:zlib';

const REPO = join(__dirname, '..', '..', '..');
const BUNDLER = join(REPO, 'bin', 'bundle.mjs');
const ROOT_DEPS = (
  JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { dependencies: Record<string, string> }
).dependencies;

const TOPOLOGY = {
  topics: {},
  functions: {
    helloHttp: { folder: 'hello-http', trigger: 'http' },
    echoEvent: { folder: 'echo-event', trigger: 'pubsub' },
    notWrittenYet: { folder: 'not-written-yet', trigger: 'http' },
    usesUnlisted: { folder: 'uses-unlisted', trigger: 'http' },
  },
};

const FILES: Record<string, string> = {
  'shared/greeting.ts': `export function greeting(name: string): string {
  return \`hello \${name}\`;
}
`,
  'functions/hello-http/index.ts': `import * as ff from '@google-cloud/functions-framework';
import Ajv from 'ajv';
import { greeting } from '../../shared/greeting';

const validName = new Ajv().compile({ type: 'string', minLength: 1 });

ff.http('helloHttp', async (req, res) => {
  const name = String(req.query.name ?? '');
  if (!validName(name)) {
    res.status(400).send('name required');
    return;
  }
  // Lazily loaded, like the project's adapters: stays external, listed in the generated package.json.
  const { PubSub } = await import('@google-cloud/pubsub');
  res.status(200).send(\`\${greeting(name)} (\${typeof PubSub})\`);
});
`,
  'functions/echo-event/index.ts': `import * as ff from '@google-cloud/functions-framework';

ff.cloudEvent<{ message: { data: string } }>('echoEvent', (event) => {
  const text = Buffer.from(event.data?.message.data ?? '', 'base64').toString('utf8');
  if (text === 'fail') throw new Error('transient');
});
`,
  'functions/uses-unlisted/index.ts': `import * as ff from '@google-cloud/functions-framework';

ff.http('usesUnlisted', async (_req, res) => {
  const { Storage } = await import('@google-cloud/storage');
  res.send(typeof Storage);
});
`,
};

interface ZipEntry {
  name: string;
  data: Buffer;
  crc: number;
}

function crc32(buf: Buffer): number {
  let c = 0xffffffff;
  for (const byte of buf) {
    c ^= byte;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  }
  return (c ^ 0xffffffff) >>> 0;
}

/** Reads a zip through its central directory (independently of the writer's code). */
function readZip(zip: Buffer): ZipEntry[] {
  const eocd = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (eocd < 0) throw new Error('no end of central directory');
  const count = zip.readUInt16LE(eocd + 10);
  let p = zip.readUInt32LE(eocd + 16);
  const entries: ZipEntry[] = [];
  for (let i = 0; i < count; i++) {
    if (zip.readUInt32LE(p) !== 0x02014b50) throw new Error('bad central directory entry');
    const method = zip.readUInt16LE(p + 10);
    const crc = zip.readUInt32LE(p + 16);
    const size = zip.readUInt32LE(p + 20);
    const nameLen = zip.readUInt16LE(p + 28);
    const extraLen = zip.readUInt16LE(p + 30);
    const commentLen = zip.readUInt16LE(p + 32);
    const local = zip.readUInt32LE(p + 42);
    const name = zip.toString('utf8', p + 46, p + 46 + nameLen);
    if (zip.readUInt32LE(local) !== 0x04034b50) throw new Error(`bad local header for ${name}`);
    const start = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
    const raw = zip.subarray(start, start + size);
    const data = method === 8 ? inflateRawSync(raw) : Buffer.from(raw);
    entries.push({ name, data, crc });
    p += 46 + nameLen + extraLen + commentLen;
  }
  return entries;
}

function runBundler(root: string, out: string, ...extra: string[]) {
  return spawnSync(process.execPath, [BUNDLER, '--root', root, '--out', out, ...extra], {
    cwd: root,
    encoding: 'utf8',
    timeout: 60_000,
  });
}

/** Loads a bundle in a fresh Node process, like the Functions Framework does, and runs its handler. */
function runInNode(root: string, script: string): { status: number | null; stdout: string; stderr: string } {
  return spawnSync(process.execPath, ['-e', script], { cwd: root, encoding: 'utf8', timeout: 60_000 });
}

describe('bin/bundle.mjs', () => {
  let root: string;
  let out: string;
  let firstRun: ReturnType<typeof runBundler>;

  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'fr-bundle-'));
    out = join(root, 'dist', 'functions');
    mkdirSync(join(root, 'functions'), { recursive: true });
    mkdirSync(join(root, 'shared', 'contracts'), { recursive: true });
    writeFileSync(join(root, 'shared', 'contracts', 'topology.json'), JSON.stringify(TOPOLOGY));
    writeFileSync(
      join(root, 'package.json'),
      JSON.stringify({
        name: 'fake',
        version: '9.8.7',
        dependencies: {
          '@google-cloud/functions-framework': ROOT_DEPS['@google-cloud/functions-framework'],
          '@google-cloud/pubsub': ROOT_DEPS['@google-cloud/pubsub'],
          ajv: ROOT_DEPS.ajv,
        },
        devDependencies: { esbuild: '*' },
      }),
    );
    for (const [file, text] of Object.entries(FILES)) {
      mkdirSync(join(root, file, '..'), { recursive: true });
      writeFileSync(join(root, file), text);
    }
    // The externals resolve from the repository's installed packages, as they would from the buildpack's install.
    symlinkSync(join(REPO, 'node_modules'), join(root, 'node_modules'), 'dir');
    firstRun = runBundler(root, out, '--only', 'helloHttp,echoEvent,notWrittenYet');
  });

  afterAll(() => {
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('names a topology function whose entry file is missing and fails, unless --allow-missing', () => {
    expect(firstRun.stderr).toContain('notWrittenYet');
    expect(firstRun.stderr).toContain('functions/not-written-yet/index.ts');
    expect(firstRun.status).toBe(1);
    const tolerant = runBundler(
      root,
      join(root, 'tolerant'),
      '--only',
      'helloHttp,notWrittenYet',
      '--allow-missing',
    );
    expect(tolerant.status).toBe(0);
    expect(existsSync(join(root, 'tolerant', 'hello-http.zip'))).toBe(true);
    expect(existsSync(join(root, 'tolerant', 'not-written-yet.zip'))).toBe(false);
  });

  it('writes a runnable index.js whose handler the Functions Framework finds and serves', () => {
    const bundle = join(out, 'hello-http', 'index.js');
    const result = runInNode(
      root,
      `
      require(${JSON.stringify(bundle)});
      const { getFunction } = require('@google-cloud/functions-framework/testing');
      const handler = getFunction('helloHttp');
      const reply = (label) => ({
        code: 0,
        status(c) { this.code = c; return this; },
        send(body) { console.log(JSON.stringify({ label, code: this.code, body })); },
      });
      Promise.resolve(handler({ query: { name: 'desk' } }, reply('ok')))
        .then(() => handler({ query: {} }, reply('bad')));
      `,
    );
    expect(result.stderr).toBe('');
    const lines = result.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as unknown);
    expect(lines).toEqual([
      { label: 'ok', code: 200, body: 'hello desk (function)' },
      { label: 'bad', code: 400, body: 'name required' },
    ]);
  });

  it('bundles CloudEvent functions too, each into its own file', () => {
    const result = runInNode(
      root,
      `
      require(${JSON.stringify(join(out, 'echo-event', 'index.js'))});
      const { getFunction } = require('@google-cloud/functions-framework/testing');
      const handler = getFunction('echoEvent');
      const event = (text) => ({ data: { message: { data: Buffer.from(text).toString('base64') } } });
      handler(event('ok'));
      try { handler(event('fail')); console.log('no error'); } catch (e) { console.log('threw ' + e.message); }
      `,
    );
    expect(result.stdout.trim()).toBe('threw transient');
    const text = readFileSync(join(out, 'echo-event', 'index.js'), 'utf8');
    expect(text).not.toContain('helloHttp');
  });

  it('inlines project code and pure-JS packages, and keeps Cloud SDKs external', () => {
    const text = readFileSync(join(out, 'hello-http', 'index.js'), 'utf8');
    expect(text).toContain('hello ${name}');
    expect(text).not.toMatch(/require\(["'][./]+shared/);
    expect(text).not.toMatch(/require\(["']ajv["']\)/);
    expect(text).toMatch(/require\(["']@google-cloud\/functions-framework["']\)/);
    // A lazy import() stays a native dynamic import (Node resolves it at run time from the installed package).
    expect(text).toMatch(/(require|import)\(["']@google-cloud\/pubsub["']\)/);
  });

  it('writes a package.json that lists exactly the externals, with the root package.json versions', () => {
    const pkg = JSON.parse(readFileSync(join(out, 'hello-http', 'package.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    expect(pkg).toMatchObject({ main: 'index.js', version: '9.8.7', engines: { node: '22' } });
    expect(pkg.dependencies).toEqual({
      '@google-cloud/functions-framework': ROOT_DEPS['@google-cloud/functions-framework'],
      '@google-cloud/pubsub': ROOT_DEPS['@google-cloud/pubsub'],
    });
    const eventPkg = JSON.parse(readFileSync(join(out, 'echo-event', 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
    };
    expect(eventPkg.dependencies).toEqual({
      '@google-cloud/functions-framework': ROOT_DEPS['@google-cloud/functions-framework'],
    });
  });

  it('zips index.js, its source map and package.json, byte-identical to the files on disk', () => {
    const entries = readZip(readFileSync(join(out, 'hello-http.zip')));
    expect(entries.map((e) => e.name)).toEqual(['index.js', 'index.js.map', 'package.json']);
    for (const e of entries) {
      expect({ name: e.name, same: e.data.equals(readFileSync(join(out, 'hello-http', e.name))) }).toEqual({
        name: e.name,
        same: true,
      });
      expect({ name: e.name, crc: crc32(e.data) }).toEqual({ name: e.name, crc: e.crc });
    }
  });

  it('is deterministic, so unchanged code keeps its content hash, and records the hash in a manifest', () => {
    const sha = (p: string) => createHash('sha256').update(readFileSync(p)).digest('hex');
    const before = sha(join(out, 'hello-http.zip'));
    const again = runBundler(root, out, '--only', 'helloHttp');
    expect(again.status).toBe(0);
    expect(sha(join(out, 'hello-http.zip'))).toBe(before);
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as {
      functions: Record<string, { folder: string; sha256: string; zip: string }>;
    };
    expect(manifest.functions.helloHttp).toMatchObject({
      folder: 'hello-http',
      zip: 'hello-http.zip',
      sha256: before,
    });

    writeFileSync(
      join(root, 'shared', 'greeting.ts'),
      FILES['shared/greeting.ts'].replace('hello', 'good day'),
    );
    try {
      expect(runBundler(root, out, '--only', 'helloHttp').status).toBe(0);
      expect(sha(join(out, 'hello-http.zip'))).not.toBe(before);
    } finally {
      writeFileSync(join(root, 'shared', 'greeting.ts'), FILES['shared/greeting.ts']);
    }
  });

  it('refuses an external package that the root package.json does not list', () => {
    const result = runBundler(root, join(root, 'unlisted'), '--only', 'usesUnlisted');
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('usesUnlisted imports @google-cloud/storage');
  });
});

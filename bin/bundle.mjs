#!/usr/bin/env node
// Bundles every function of shared/contracts/topology.json for Cloud Functions (gen2, nodejs22).
//
// For each topology function: functions/<folder>/index.ts is bundled with esbuild into one CommonJS file,
// dist/functions/<folder>/index.js (+ source map). Cloud SDKs and native or heavy packages stay external: they
// are listed, with the versions of the root package.json, in a generated dist/functions/<folder>/package.json so
// the Cloud Functions buildpack installs them. Each folder is then zipped, deterministically (fixed timestamps,
// sorted entries), into dist/functions/<folder>.zip: unchanged code gives byte-identical zips, so Terraform, which
// names the uploaded source object by the zip's SHA-256, redeploys only functions whose code changed.
// dist/functions/manifest.json records what was built.
//
// Usage: node bin/bundle.mjs [--root DIR] [--out DIR] [--only name1,name2] [--allow-missing]
//   --root           project root holding shared/contracts/topology.json and package.json (default: this repository)
//   --out            output directory (default: <root>/dist/functions)
//   --only           bundle only these topology functions
//   --allow-missing  exit 0 even if a topology function has no entry file (it is still reported)
import { build } from 'esbuild';
import { Buffer } from 'node:buffer';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import * as zlib from 'node:zlib';

/** Packages never bundled: Google Cloud SDKs (gRPC, protobuf descriptors, lazy loading), native addons, heavy SDKs. */
export const EXTERNAL_PATTERNS = [
  '@google-cloud/*',
  '@duckdb/*',
  '@grpc/*',
  'google-gax',
  'firebase-admin',
  'duckdb',
  'sharp',
];

/** Always a dependency: the runtime loads it to serve the registered handler. */
const FRAMEWORK = '@google-cloud/functions-framework';

const NODE_MAJOR = '22';

const builtins = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));

/** '@scope/name/sub/path' -> '@scope/name'; 'name/sub' -> 'name'. */
export function packageName(specifier) {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

function isBuiltin(specifier) {
  return builtins.has(specifier) || specifier.startsWith('node:');
}

// ------------------------------------------------------------------------------------------------------------------
// Deterministic zip (PKZIP 2.0: deflate or store, no zip64; fixed 1980-01-01 timestamps, sorted entries)
// ------------------------------------------------------------------------------------------------------------------

let crcTable;
function crc32(buf) {
  if (typeof zlib.crc32 === 'function') return zlib.crc32(buf) >>> 0;
  crcTable ??= Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  let c = 0xffffffff;
  for (const byte of buf) c = crcTable[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** @param {{ name: string, data: Buffer }[]} files */
export function zipFiles(files) {
  const DOS_TIME = 0;
  const DOS_DATE = (0 << 9) | (1 << 5) | 1; // 1980-01-01
  const UTF8 = 0x0800;
  const locals = [];
  const centrals = [];
  let offset = 0;
  for (const { name, data } of [...files].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const nameBuf = Buffer.from(name, 'utf8');
    const deflated = zlib.deflateRawSync(data, { level: 9 });
    const method = deflated.length < data.length ? 8 : 0;
    const body = method === 8 ? deflated : data;
    const crc = crc32(data);
    if (body.length > 0xfffffffe || data.length > 0xfffffffe)
      throw new Error(`${name} is too large for a zip`);

    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(UTF8, 6);
    local.writeUInt16LE(method, 8);
    local.writeUInt16LE(DOS_TIME, 10);
    local.writeUInt16LE(DOS_DATE, 12);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(nameBuf.length, 26);
    local.writeUInt16LE(0, 28);
    locals.push(local, nameBuf, body);

    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE((3 << 8) | 20, 4); // made by: Unix, spec 2.0
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(UTF8, 8);
    central.writeUInt16LE(method, 10);
    central.writeUInt16LE(DOS_TIME, 12);
    central.writeUInt16LE(DOS_DATE, 14);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(body.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(nameBuf.length, 28);
    central.writeUInt16LE(0, 30); // extra
    central.writeUInt16LE(0, 32); // comment
    central.writeUInt16LE(0, 34); // disk
    central.writeUInt16LE(0, 36); // internal attributes
    central.writeUInt32LE((0o100644 << 16) >>> 0, 38); // -rw-r--r--
    central.writeUInt32LE(offset, 42);
    centrals.push(central, nameBuf);

    offset += local.length + nameBuf.length + body.length;
  }
  const centralBuf = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(0, 4);
  end.writeUInt16LE(0, 6);
  end.writeUInt16LE(files.length, 8);
  end.writeUInt16LE(files.length, 10);
  end.writeUInt32LE(centralBuf.length, 12);
  end.writeUInt32LE(offset, 16);
  end.writeUInt16LE(0, 20);
  return Buffer.concat([...locals, centralBuf, end]);
}

// ------------------------------------------------------------------------------------------------------------------
// Bundling
// ------------------------------------------------------------------------------------------------------------------

function readJson(file, what) {
  if (!existsSync(file)) throw new Error(`${what} not found: ${file}`);
  return JSON.parse(readFileSync(file, 'utf8'));
}

/** External packages the bundled output still imports (from esbuild's metafile), builtins excluded. */
function externalPackages(metafile) {
  const found = new Set();
  for (const output of Object.values(metafile.outputs)) {
    for (const imp of output.imports ?? []) {
      // '<runtime>' and the like are esbuild internals, not packages.
      if (imp.external && !isBuiltin(imp.path) && !/^[<./]/.test(imp.path)) found.add(packageName(imp.path));
    }
  }
  return found;
}

function dependencyVersions(names, rootPkg, functionName) {
  const deps = rootPkg.dependencies ?? {};
  const devDeps = rootPkg.devDependencies ?? {};
  const out = {};
  for (const name of [...names].sort()) {
    if (deps[name]) out[name] = deps[name];
    else if (devDeps[name])
      throw new Error(
        `${functionName} imports ${name}, which is only a devDependency of package.json; production code cannot use it`,
      );
    else
      throw new Error(
        `${functionName} imports ${name}, which stays external but is not a dependency in package.json: add it there`,
      );
  }
  return out;
}

/**
 * Bundles the topology functions under root into out. Returns { built, missing } and throws on a build error.
 * @param {{ root: string, out: string, only?: string[], log?: (line: string) => void }} options
 */
export async function bundleFunctions({ root, out, only, log = () => {} }) {
  const topology = readJson(join(root, 'shared', 'contracts', 'topology.json'), 'topology');
  const rootPkg = readJson(join(root, 'package.json'), 'package.json');
  const names = Object.keys(topology.functions ?? {});
  const unknown = (only ?? []).filter((n) => !names.includes(n));
  if (unknown.length)
    throw new Error(`--only names functions absent from the topology: ${unknown.join(', ')}`);
  const selected = only?.length ? names.filter((n) => only.includes(n)) : names;

  mkdirSync(out, { recursive: true });
  const built = [];
  const missing = [];
  for (const name of selected) {
    const { folder } = topology.functions[name];
    if (typeof folder !== 'string' || !/^[a-z][a-z0-9-]*$/.test(folder))
      throw new Error(
        `${name}: topology folder ${JSON.stringify(folder)} is not a lowercase, hyphenated name`,
      );
    const entry = join(root, 'functions', folder, 'index.ts');
    if (!existsSync(entry)) {
      missing.push({ name, folder, entry: relative(root, entry) });
      continue;
    }

    const dir = join(out, folder);
    rmSync(dir, { recursive: true, force: true });
    rmSync(`${dir}.zip`, { force: true });
    mkdirSync(dir, { recursive: true });
    const outfile = join(dir, 'index.js');
    const result = await build({
      absWorkingDir: root,
      entryPoints: [entry],
      outfile,
      bundle: true,
      platform: 'node',
      target: `node${NODE_MAJOR}`,
      format: 'cjs',
      external: EXTERNAL_PATTERNS,
      sourcemap: 'linked',
      sourcesContent: false,
      keepNames: true,
      metafile: true,
      logLevel: 'warning',
    });

    const externals = externalPackages(result.metafile);
    externals.add(FRAMEWORK);
    const pkg = {
      name: `fusion-risk-${folder}`,
      version: rootPkg.version ?? '0.0.0',
      private: true,
      description: `Cloud Function ${name}, bundled by bin/bundle.mjs from functions/${folder}/index.ts (generated; do not edit)`,
      main: 'index.js',
      type: 'commonjs',
      engines: { node: NODE_MAJOR },
      dependencies: dependencyVersions(externals, rootPkg, name),
    };
    writeFileSync(join(dir, 'package.json'), `${JSON.stringify(pkg, null, 2)}\n`);

    const files = ['index.js', 'index.js.map', 'package.json']
      .filter((f) => existsSync(join(dir, f)))
      .map((f) => ({ name: f, data: readFileSync(join(dir, f)) }));
    const zip = zipFiles(files);
    writeFileSync(`${dir}.zip`, zip);
    const sha256 = createHash('sha256').update(zip).digest('hex');
    built.push({
      name,
      folder,
      zip: `${folder}.zip`,
      sha256,
      bytes: zip.length,
      dependencies: pkg.dependencies,
    });
    log(
      `bundled ${name} -> ${relative(root, `${dir}.zip`)} (${zip.length} bytes, sha256 ${sha256.slice(0, 12)})`,
    );
  }

  const manifest = {
    $comment: 'Generated by bin/bundle.mjs. Terraform names each source object by the SHA-256 of its zip.',
    functions: Object.fromEntries(built.map(({ name, ...rest }) => [name, rest])),
    missing: missing.map((m) => m.name),
  };
  writeFileSync(join(out, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  return { built, missing };
}

async function main() {
  const { values } = parseArgs({
    options: {
      root: { type: 'string' },
      out: { type: 'string' },
      only: { type: 'string' },
      'allow-missing': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log('Usage: node bin/bundle.mjs [--root DIR] [--out DIR] [--only a,b] [--allow-missing]');
    return 0;
  }
  const root = resolve(values.root ?? join(dirname(fileURLToPath(import.meta.url)), '..'));
  const out = resolve(values.out ?? join(root, 'dist', 'functions'));
  const only = values.only
    ?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);

  const { built, missing } = await bundleFunctions({ root, out, only, log: (l) => console.log(l) });
  for (const m of missing) {
    console.error(`MISSING ENTRY: topology function ${m.name} has no ${m.entry}; it was not bundled`);
  }
  console.log(`${built.length} function(s) bundled into ${relative(process.cwd(), out) || '.'}`);
  if (missing.length && !values['allow-missing']) {
    console.error(
      `${missing.length} topology function(s) without an entry file: ${missing.map((m) => m.name).join(', ')} (use --allow-missing to tolerate)`,
    );
    return 1;
  }
  return 0;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().then(
    (code) => {
      process.exitCode = code;
    },
    (err) => {
      console.error(`bundle failed: ${err instanceof Error ? err.message : String(err)}`);
      process.exitCode = 1;
    },
  );
}

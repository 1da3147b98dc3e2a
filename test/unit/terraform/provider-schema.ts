/**
 * The google provider's own schema, offline. `terraform validate` needs the provider from the registry, which is
 * unreachable here; the schema is also published on npm as cdktf's generated bindings (@cdktf/provider-google, a
 * devDependency pinned to the release generated from the provider version versions.tf pins). Its jsii manifest
 * (.jsii) describes every resource, data source and the provider block as structs: one property per argument or
 * nested block, `optional` unless Terraform requires it. Only that metadata is read; cdktf itself never runs.
 *
 * checkConfiguration() holds a parsed file's resource, data and provider blocks against it: unknown arguments and
 * blocks, missing required ones, at any depth, `dynamic` blocks included.
 */
import { readFileSync, realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { TF_DIR, parseHcl, read, rel, tfFiles, type Body } from './hcl';

export interface Argument {
  required: boolean;
  /** Whether its value may be a list of objects: hcl2json renders `x = [{...}]` and a block `x {...}` alike. */
  objects: boolean;
}

export interface NestedBlock {
  required: boolean;
  /** At most one such block (max_items = 1, or a single nested block): cdktf types it as one struct, not a list. */
  single: boolean;
  schema: BlockSchema;
}

export interface BlockSchema {
  /** By Terraform name (snake_case). */
  arguments: ReadonlyMap<string, Argument>;
  blocks: ReadonlyMap<string, NestedBlock>;
}

export interface ProviderSchema {
  /** npm package and version the schema was read from. */
  package: string;
  packageVersion: string;
  /** The provider release the package was generated from (what versions.tf must pin). */
  providerVersion: string;
  provider: BlockSchema;
  resource: (type: string) => BlockSchema | undefined;
  dataSource: (type: string) => BlockSchema | undefined;
  resourceTypes: () => string[];
}

/** Provider local name => the npm package with its generated bindings. */
export const PROVIDER_PACKAGES: Readonly<Record<string, string>> = {
  google: '@cdktf/provider-google',
  // Not installed while no module uses google-beta; a resource that does is reported until it is added.
  'google-beta': '@cdktf/provider-google-beta',
};

// ---------------------------------------------------------------------------------------------------------------
// The jsii manifest: only the parts read here.
// ---------------------------------------------------------------------------------------------------------------

interface TypeRef {
  fqn?: string;
  primitive?: string;
  collection?: { kind: string; elementtype: TypeRef };
  union?: { types: TypeRef[] };
}

interface Docs {
  summary?: string;
  remarks?: string;
  custom?: Record<string, string>;
}

interface JsiiProperty {
  name: string;
  optional?: boolean;
  docs?: Docs;
  type: TypeRef;
}

interface JsiiType {
  kind: string;
  fqn: string;
  datatype?: boolean;
  base?: string;
  docs?: Docs;
  initializer?: { parameters?: { name: string; type: TypeRef }[] };
  properties?: JsiiProperty[];
}

interface Manifest {
  schema?: string;
  filename?: string;
  types: Record<string, JsiiType>;
}

/** The package's package.json, read without its 100 MB manifest (cheap: for the version checks alone). */
function packageJson(pkg: string): { version: string; cdktf?: { provider?: { version?: string } } } {
  // Throws MODULE_NOT_FOUND when the package is not installed.
  return JSON.parse(read(require.resolve(`${pkg}/package.json`))) as {
    version: string;
    cdktf?: { provider?: { version?: string } };
  };
}

/** The provider release a bindings package was generated from (package.json "cdktf.provider.version"). */
export function providerVersionOf(pkg: string): string {
  const version = packageJson(pkg).cdktf?.provider?.version;
  if (!version) throw new Error(`${pkg}: package.json names no cdktf.provider.version`);
  return version;
}

function readManifest(pkg: string): Manifest {
  const dir = dirname(require.resolve(`${pkg}/package.json`));
  const manifest = JSON.parse(readFileSync(join(dir, '.jsii'), 'utf8')) as Manifest;
  // jsii may store a large manifest gzipped behind a small redirect file.
  if (manifest.schema === 'jsii/file-redirect' && manifest.filename)
    return JSON.parse(gunzipSync(readFileSync(join(dir, manifest.filename))).toString('utf8')) as Manifest;
  return manifest;
}

/**
 * Each property's docs link to its registry page, anchored at the Terraform name
 * ("{@link https://registry.terraform.io/...#build_config Cloudfunctions2Function#build_config}"). That anchor is
 * the name to trust: cdktf renames what clashes with its own API (`build` => buildAttribute, `geth_details` =>
 * fetchhDetails) and digits do not round-trip through camelCase (detect_md5hash => detectMd5Hash).
 */
const REGISTRY_ANCHOR = /\{@link https:\/\/registry\.terraform\.io\/[^\s#}]+#([a-z0-9_]+) [A-Za-z0-9]+#\1\}/;

/** Class docs name the Terraform type: "Represents a {@link https://.../docs/resources/pubsub_topic google_pubsub_topic}." */
const CLASS_LINK =
  /^Represents a \{@link https:\/\/registry\.terraform\.io\/providers\/[^\s}]+\/docs(?:\/(resources|data-sources)\/[a-z0-9_]+)? ([a-z0-9_-]+)\}\.$/;

function terraformName(property: JsiiProperty): string {
  // The link sits in the summary or remarks, or in a custom tag when the description holds something jsii reads
  // as one ("@pattern"); two properties (a JavaScript UDF's `code`) carry no link, and their names are plain.
  const docs = property.docs ?? {};
  const anchor = REGISTRY_ANCHOR.exec(
    [docs.summary, docs.remarks, ...Object.values(docs.custom ?? {})].join('\n'),
  );
  return anchor ? anchor[1] : property.name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

/** Whether a value of the type may hold objects (a struct, or untyped JSON). */
function holdsObjects(type: TypeRef, types: Record<string, JsiiType>): boolean {
  if (type.primitive) return type.primitive === 'any' || type.primitive === 'json';
  if (type.fqn) return types[type.fqn]?.datatype === true;
  if (type.collection) return holdsObjects(type.collection.elementtype, types);
  return (type.union?.types ?? []).some((member) => holdsObjects(member, types));
}

/** The struct a property's type refers to (directly, as a list/set element, or in a union with IResolvable). */
function structOf(type: TypeRef, types: Record<string, JsiiType>): string | undefined {
  if (type.fqn) return types[type.fqn]?.datatype ? type.fqn : undefined;
  if (type.collection) return structOf(type.collection.elementtype, types);
  for (const member of type.union?.types ?? []) {
    const found = structOf(member, types);
    if (found) return found;
  }
  return undefined;
}

function buildSchema(pkg: string): ProviderSchema {
  const { types } = readManifest(pkg);
  const built = new Map<string, BlockSchema>();

  const blockSchema = (fqn: string): BlockSchema => {
    const known = built.get(fqn);
    if (known) return known;
    const schema = { arguments: new Map<string, Argument>(), blocks: new Map<string, NestedBlock>() };
    built.set(fqn, schema);
    // Own properties only: a resource's Config also extends cdktf's TerraformMetaArguments (count, provider, ...).
    for (const property of types[fqn].properties ?? []) {
      const name = terraformName(property);
      const required = !property.optional;
      const struct = structOf(property.type, types);
      // cdktf documents a nested block as "<name> block."; an object-typed argument keeps its own description.
      if (struct && /^\S+ block\.?$/.test(property.docs?.summary ?? ''))
        schema.blocks.set(name, {
          required,
          single: property.type.fqn !== undefined,
          schema: blockSchema(struct),
        });
      else schema.arguments.set(name, { required, objects: holdsObjects(property.type, types) });
    }
    return schema;
  };

  // Terraform type => its Config struct, from each generated class's docs and constructor.
  const configs = { resources: new Map<string, string>(), data: new Map<string, string>(), provider: '' };
  for (const type of Object.values(types)) {
    if (type.kind !== 'class') continue;
    const link = CLASS_LINK.exec(type.docs?.summary ?? '');
    const config = type.initializer?.parameters?.find((p) => p.name === 'config')?.type.fqn;
    if (!link || !config) continue;
    if (link[1] === 'resources') configs.resources.set(link[2], config);
    else if (link[1] === 'data-sources') configs.data.set(link[2], config);
    else if (type.base === 'cdktf.TerraformProvider') configs.provider = config;
  }
  if (configs.resources.size === 0 || !configs.provider)
    throw new Error(`${pkg}: found no resources or provider in its .jsii; has its layout changed?`);

  const lookup = (byType: Map<string, string>) => (type: string) => {
    const fqn = byType.get(type);
    return fqn ? blockSchema(fqn) : undefined;
  };
  return {
    package: pkg,
    packageVersion: packageJson(pkg).version,
    providerVersion: providerVersionOf(pkg),
    provider: blockSchema(configs.provider),
    resource: lookup(configs.resources),
    dataSource: lookup(configs.data),
    resourceTypes: () => [...configs.resources.keys()].sort(),
  };
}

const loaded = new Map<string, ProviderSchema>();

/**
 * The schema of a provider by its local name (google, google-beta); throws when its package is not installed.
 * Read on first use and kept: the manifest is ~100 MB of JSON (about a second to parse). Jest gives each test file
 * its own module registry, so this is once per test file that asks, which today is one.
 */
export function providerSchema(localName: string): ProviderSchema {
  const pkg = PROVIDER_PACKAGES[localName];
  if (!pkg) throw new Error(`no bindings package is known for provider "${localName}"`);
  let schema = loaded.get(pkg);
  if (!schema) {
    schema = buildSchema(pkg);
    loaded.set(pkg, schema);
  }
  return schema;
}

// ---------------------------------------------------------------------------------------------------------------
// Checking a configuration
// ---------------------------------------------------------------------------------------------------------------

export interface Problem {
  file: string;
  /** google_pubsub_topic.events, data.google_project.this, provider.google */
  address: string;
  /** Where in the block, e.g. service_config.secret_volumes.path or dynamic "x".content.y; '' for the block. */
  path: string;
  problem: string;
}

export const formatProblem = (p: Problem): string =>
  `${p.file}: ${p.address}${p.path ? ` ${p.path}` : ''}: ${p.problem}`;

/** What a check covered, for the tests' own sanity checks. */
export interface Tally {
  resources: string[];
  dataSources: string[];
  providers: string[];
  arguments: number;
}

export const emptyTally = (): Tally => ({ resources: [], dataSources: [], providers: [], arguments: 0 });

/** Terraform's meta-arguments and blocks, valid on every resource and data block whatever the provider. */
export const RESOURCE_META = new Set([
  'count',
  'for_each',
  'provider',
  'depends_on',
  'lifecycle',
  'provisioner',
  'connection',
]);
/** `alias` is in the provider's own schema; `version` is Terraform's (deprecated) meta-argument. */
const PROVIDER_META = new Set(['version']);
const NO_META = new Set<string>();
const DYNAMIC_ARGUMENTS = new Set(['for_each', 'iterator', 'labels', 'content']);

/**
 * Terraform's built-in provider (terraform.io/builtin/terraform) has no npm bindings; its one resource is small
 * enough to state here.
 */
const BUILTIN_RESOURCES: Readonly<Record<string, BlockSchema>> = {
  terraform_data: {
    arguments: new Map([
      ['input', { required: false, objects: true }],
      ['triggers_replace', { required: false, objects: true }],
    ]),
    blocks: new Map(),
  },
};

/** hcl2json renders a block as an array of bodies; an attribute is a JSON value or an expression string. */
const isBlockList = (value: unknown): value is Body[] =>
  Array.isArray(value) && value.every((v) => v !== null && typeof v === 'object' && !Array.isArray(v));

function checkBody(
  body: Body,
  schema: BlockSchema,
  path: string[],
  meta: ReadonlySet<string>,
  report: (path: string[], problem: string) => void,
  tally: Tally,
): void {
  const present = new Set<string>();
  for (const [key, value] of Object.entries(body)) {
    if (meta.has(key)) continue;
    if (key === 'dynamic' && value && typeof value === 'object' && !Array.isArray(value)) {
      for (const [name, dynamics] of Object.entries(value as Record<string, Body[]>))
        for (const dynamic of dynamics) {
          const at = [...path, `dynamic "${name}"`];
          const nested = schema.blocks.get(name);
          if (!nested) {
            report(at, schema.arguments.has(name) ? 'is an argument, not a block' : 'unknown block');
            continue;
          }
          present.add(name);
          for (const k of Object.keys(dynamic))
            if (!DYNAMIC_ARGUMENTS.has(k)) report([...at, k], 'unknown argument of a dynamic block');
          if (!('for_each' in dynamic)) report([...at, 'for_each'], 'missing required argument');
          const content = isBlockList(dynamic.content) ? dynamic.content : [];
          if (content.length !== 1)
            report([...at, 'content'], 'a dynamic block needs exactly one content block');
          // The content body is the generated block's body: the block's own schema, no meta-arguments.
          for (const c of content) checkBody(c, nested.schema, [...at, 'content'], NO_META, report, tally);
        }
      continue;
    }
    const nested = schema.blocks.get(key);
    if (nested) {
      present.add(key);
      if (!isBlockList(value)) {
        report([...path, key], `is a block, not an argument: write ${key} { ... }`);
        continue;
      }
      if (nested.single && value.length > 1) report([...path, key], `at most one ${key} block is allowed`);
      for (const b of value) checkBody(b, nested.schema, [...path, key], NO_META, report, tally);
      continue;
    }
    const argument = schema.arguments.get(key);
    if (argument) {
      present.add(key);
      // A list of objects where none can be is a block written for an argument (`labels { ... }`).
      if (isBlockList(value) && value.length > 0 && !argument.objects)
        report([...path, key], `is an argument, not a block: write ${key} = ...`);
      tally.arguments++;
      continue;
    }
    // A list of objects could also be an attribute's value, but no argument of that name exists either way.
    report([...path, key], isBlockList(value) && value.length > 0 ? 'unknown block' : 'unknown argument');
  }
  for (const [name, a] of schema.arguments)
    if (a.required && !present.has(name)) report([...path, name], 'missing required argument');
  for (const [name, b] of schema.blocks)
    if (b.required && !present.has(name)) report([...path, name], 'missing required block');
}

/** The provider local name a resource or data block uses: its `provider` meta-argument, else its type's prefix. */
function providerOf(type: string, body: Body): string {
  const explicit = typeof body.provider === 'string' ? /^\$\{\s*([A-Za-z0-9_-]+)/.exec(body.provider) : null;
  return explicit ? explicit[1] : type.split('_')[0];
}

type Labelled2 = Record<string, Record<string, Body[]>>;

/** Every resource, data and provider block of one parsed file, against its provider's schema. */
export function checkConfiguration(file: string, config: Body, tally: Tally = emptyTally()): Problem[] {
  const problems: Problem[] = [];
  const check = (address: string, body: Body, schema: BlockSchema, meta: ReadonlySet<string>) =>
    checkBody(
      body,
      schema,
      [],
      meta,
      (path, problem) => problems.push({ file, address, path: path.join('.'), problem }),
      tally,
    );
  const schemaOf = (localName: string, address: string): ProviderSchema | undefined => {
    try {
      return providerSchema(localName);
    } catch (error) {
      const pkg = PROVIDER_PACKAGES[localName];
      problems.push({
        file,
        address,
        path: '',
        problem: pkg
          ? `uses provider "${localName}", whose schema is not installed: add ${pkg} (exact, the release built from the provider version versions.tf pins)`
          : `uses provider "${localName}", which has no schema here (${(error as Error).message}): add its bindings to provider-schema.ts`,
      });
      return undefined;
    }
  };

  const blocks = (kind: 'resource' | 'data', byType: Labelled2 | undefined) => {
    for (const [type, byName] of Object.entries(byType ?? {}))
      for (const [name, bodies] of Object.entries(byName))
        for (const body of bodies) {
          const address = kind === 'data' ? `data.${type}.${name}` : `${type}.${name}`;
          (kind === 'data' ? tally.dataSources : tally.resources).push(`${file}: ${address}`);
          const builtin = kind === 'resource' ? BUILTIN_RESOURCES[type] : undefined;
          const provider = builtin ? undefined : schemaOf(providerOf(type, body), address);
          const schema = builtin ?? (kind === 'data' ? provider?.dataSource(type) : provider?.resource(type));
          if (schema) check(address, body, schema, RESOURCE_META);
          else if (provider)
            problems.push({
              file,
              address,
              path: '',
              problem: `${provider.package} ${provider.packageVersion} (provider ${provider.providerVersion}) has no ${kind === 'data' ? 'data source' : 'resource type'} ${type}`,
            });
        }
  };

  blocks('resource', config.resource as Labelled2 | undefined);
  blocks('data', config.data as Labelled2 | undefined);
  // A check block may scope its own data sources.
  for (const bodies of Object.values((config.check as Record<string, Body[]> | undefined) ?? {}))
    for (const body of bodies) blocks('data', body.data as Labelled2 | undefined);
  for (const [localName, bodies] of Object.entries(
    (config.provider as Record<string, Body[]> | undefined) ?? {},
  ))
    for (const body of bodies) {
      const address = `provider.${localName}${typeof body.alias === 'string' ? `.${body.alias}` : ''}`;
      tally.providers.push(`${file}: ${address}`);
      const provider = schemaOf(localName, address);
      if (provider) check(address, body, provider.provider, PROVIDER_META);
    }
  return problems;
}

/**
 * Every .tf file under a directory (terraform/: every module and environment, including ones added later), each
 * once by its real path: environments share files through symbolic links.
 */
export function terraformFiles(dir: string = TF_DIR): { file: string; text: string }[] {
  return [
    ...new Set(
      tfFiles(dir)
        .filter((f) => f.endsWith('.tf'))
        .map((f) => realpathSync(f)),
    ),
  ]
    .sort()
    .map((f) => ({ file: rel(f), text: read(f) }));
}

/** checkConfiguration over every file of terraformFiles(dir). */
export async function checkTerraform(dir: string = TF_DIR): Promise<{ problems: Problem[]; tally: Tally }> {
  const tally = emptyTally();
  const problems: Problem[] = [];
  for (const { file, text } of terraformFiles(dir))
    problems.push(...checkConfiguration(file, await parseHcl(file, text), tally));
  return { problems, tally };
}

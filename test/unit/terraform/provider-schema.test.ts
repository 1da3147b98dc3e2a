/**
 * Every resource, data source and provider block under terraform/ (each module and environment, including ones
 * added later) against the google provider's own schema, read offline from @cdktf/provider-google: an unknown or
 * misspelt argument or nested block, or a missing required one, fails here instead of at the first
 * `terraform plan` in Cloud Build. The schema is the provider release versions.tf pins, so both move together.
 */
import { join } from 'node:path';
import {
  PROVIDER_PACKAGES,
  RESOURCE_META,
  checkConfiguration,
  checkTerraform,
  formatProblem,
  providerSchema,
  providerVersionOf,
  terraformFiles,
} from './provider-schema';
import { ROOT, blocksOf, parseHcl, readJson, type Body } from './hcl';

const GOOGLE = PROVIDER_PACKAGES.google;

const isBlockList = (value: unknown): value is Body[] =>
  Array.isArray(value) && value.every((v) => v !== null && typeof v === 'object' && !Array.isArray(v));

const PLANTED = 'zz_not_in_any_schema';

/**
 * Adds an argument no provider has to a block body and to every nested block and dynamic content under it, chosen
 * by HCL shape alone (not by the schema), and records where. A nested block the checker did not descend into
 * would keep its planted argument unreported.
 */
function plant(body: Body, path: string[], meta: ReadonlySet<string>, planted: string[]): void {
  for (const [key, value] of Object.entries(body)) {
    if (meta.has(key)) continue;
    if (key === 'dynamic')
      for (const [name, dynamics] of Object.entries(value as Record<string, Body[]>))
        for (const dynamic of dynamics)
          for (const content of dynamic.content as Body[])
            plant(content, [...path, `dynamic "${name}"`, 'content'], new Set(), planted);
    else if (isBlockList(value)) for (const b of value) plant(b, [...path, key], new Set(), planted);
  }
  body[PLANTED] = true;
  planted.push([...path, PLANTED].join('.'));
}

describe(`terraform against the google provider schema (${GOOGLE})`, () => {
  it('pins the devDependency exactly, and every google provider constraint to the release it was generated from', async () => {
    const pkg = readJson<{ devDependencies: Record<string, string> }>(join(ROOT, 'package.json'));
    expect(pkg.devDependencies[GOOGLE]).toMatch(/^\d+\.\d+\.\d+$/);
    const pinned = `= ${providerVersionOf(GOOGLE)}`;
    const constraints: { file: string; version: unknown }[] = [];
    for (const { file, text } of terraformFiles())
      for (const t of blocksOf(await parseHcl(file, text), 'terraform'))
        for (const providers of blocksOf(t, 'required_providers'))
          for (const [name, requirement] of Object.entries(providers))
            if (name.startsWith('google'))
              constraints.push({ file, version: (requirement as Body | undefined)?.version });
    expect(constraints.length).toBeGreaterThan(0);
    expect(constraints.filter((c) => c.version !== pinned)).toEqual([]);
  });

  it('finds only arguments and nested blocks the provider has, and every required one, in every block', async () => {
    const { problems, tally } = await checkTerraform();
    // One line per problem: file: address path: problem.
    expect(problems.map(formatProblem)).toEqual([]);

    // Every resource, data and provider block written in a .tf file was checked: none slipped past the parse.
    const headers: string[] = [];
    for (const { file, text } of terraformFiles())
      for (const [, kind, type, name] of text.matchAll(
        /^\s*(resource|data|provider)\s+"([^"]+)"(?:\s+"([^"]+)")?/gm,
      ))
        if (kind !== 'provider') headers.push(`${file}: ${kind === 'data' ? 'data.' : ''}${type}.${name}`);
    expect([...tally.resources, ...tally.dataSources].sort()).toEqual(headers.sort());
    expect(tally.resources.length).toBeGreaterThan(0);
    expect(tally.providers.length).toBeGreaterThan(0);
    expect(tally.arguments).toBeGreaterThan(tally.resources.length);
  });

  it('descends into every nested block and dynamic content of every block', async () => {
    const missed: string[] = [];
    for (const { file, text } of terraformFiles()) {
      const config = await parseHcl(file, text);
      const planted: string[] = [];
      for (const kind of ['resource', 'data'] as const)
        for (const [type, byName] of Object.entries(
          (config[kind] as Record<string, Record<string, Body[]>>) ?? {},
        ))
          for (const [name, bodies] of Object.entries(byName))
            for (const body of bodies) {
              const address = `${kind === 'data' ? 'data.' : ''}${type}.${name}`;
              const at: string[] = [];
              plant(body, [], RESOURCE_META, at);
              planted.push(...at.map((path) => `${address} ${path}`));
            }
      const reported = checkConfiguration(file, config)
        .filter((p) => p.problem === 'unknown argument')
        .map((p) => `${p.address} ${p.path}`);
      for (const where of planted) {
        const i = reported.indexOf(where);
        if (i < 0) missed.push(`${file}: ${where}`);
        else reported.splice(i, 1);
      }
    }
    expect(missed).toEqual([]);
  });

  it('reads Terraform names, not cdktf property names, and required flags', () => {
    const google = providerSchema('google');
    // cdktf renames `build` (buildAttribute) and cannot round-trip md5hash through camelCase (detectMd5Hash).
    const trigger = google.resource('google_cloudbuild_trigger');
    expect(trigger?.blocks.has('build')).toBe(true);
    expect(trigger?.arguments.has('build_attribute')).toBe(false);
    expect(google.resource('google_storage_bucket_object')?.arguments.has('detect_md5hash')).toBe(true);
    const subscription = google.resource('google_pubsub_subscription');
    expect([...(subscription?.arguments ?? [])].filter(([, a]) => a.required).map(([name]) => name)).toEqual([
      'name',
      'topic',
    ]);
    expect(trigger?.blocks.get('build')?.schema.blocks.get('step')?.required).toBe(true);
    expect(google.dataSource('google_project')).toBeDefined();
  });

  it('reports an unknown argument, a misspelt nested block and a missing required argument, and nothing else', async () => {
    const wrong = `
      resource "google_cloudfunctions2_function" "typo" {
        name             = "fn"
        location         = "europe-west1"
        ingress_settings = "ALLOW_INTERNAL_ONLY" # belongs in service_config
        build_config {
          runtime     = "nodejs22"
          entry_point = "fn"
        }
        service_config {
          available_memory = "256Mi"
          secret_environment_variable { # the block is secret_environment_variables
            key        = "API_KEY"
            project_id = "p"
            secret     = "api-key"
            version    = "latest"
          }
        }
        lifecycle {
          ignore_changes = [labels]
        }
        depends_on = [google_pubsub_topic.ok]
      }

      resource "google_pubsub_subscription" "no_topic" {
        name = "s"
      }

      # Valid: meta-arguments, a dynamic block, names cdktf renames, a required nested block, a data source.
      resource "google_pubsub_topic" "ok" {
        count    = 1
        provider = google
        name     = "t"
        dynamic "schema_settings" {
          for_each = var.schema == null ? [] : [var.schema]
          content {
            schema   = schema_settings.value
            encoding = "JSON"
          }
        }
      }

      resource "google_storage_bucket_object" "ok" {
        for_each       = toset(["a"])
        name           = each.key
        bucket         = "b"
        content        = "x"
        detect_md5hash = "abc"
      }

      resource "google_cloudbuild_trigger" "ok" {
        location = "global"
        build {
          step {
            name = "gcr.io/cloud-builders/npm"
          }
        }
        trigger_template {
          branch_name = "main"
        }
      }

      data "google_project" "this" {}
    `;
    const problems = checkConfiguration('wrong.tf', await parseHcl('wrong.tf', wrong));
    expect(problems.map(formatProblem).sort()).toEqual([
      'wrong.tf: google_cloudfunctions2_function.typo ingress_settings: unknown argument',
      'wrong.tf: google_cloudfunctions2_function.typo service_config.secret_environment_variable: unknown block',
      'wrong.tf: google_pubsub_subscription.no_topic topic: missing required argument',
    ]);
  });
});

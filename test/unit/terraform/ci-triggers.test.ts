/**
 * The Cloud Build triggers of cloudbuild.yaml as Terraform (terraform/modules/ci, applied by hand from the
 * terraform/ci root): plan triggers never set _APPLY_ENV, every apply trigger names its environment in _APPLY_ENV
 * and requires approval. The module's locals are evaluated offline with the root's terraform.tfvars; the resources
 * are checked against the provider schema by provider-schema.test.ts like every other block.
 */
import { realpathSync } from 'node:fs';
import { join } from 'node:path';
import { evaluateLocals } from './evaluate';
import {
  ENVIRONMENTS,
  MODULES_DIR,
  ROOT,
  TF_DIR,
  block,
  blocksOf,
  dynamicContent,
  labelled,
  parseDir,
  parseHcl,
  read,
  resourcesOf,
  unresolved,
  type Body,
} from './hcl';

const CI_ROOT = join(TF_DIR, 'ci');
const CI_MODULE = join(MODULES_DIR, 'ci');
/** Locals the triggers are computed from (they refer only to variables and each other). */
const TRIGGER_LOCALS = ['main_branch', 'release_branch', 'plan_service_account', 'triggers'];

interface Trigger {
  description: string;
  event: 'pull_request' | 'push';
  branch: string;
  apply_env: string;
  approval_required: boolean;
  service_account: string;
  substitutions: Record<string, string>;
}

const tfvars = (): Promise<Body> => parseHcl('terraform.tfvars', read(join(CI_ROOT, 'terraform.tfvars')));

const evaluateTriggers = (args: Record<string, unknown>) =>
  evaluateLocals<{ triggers: Record<string, Trigger> }>('ci', args, ['triggers'], {}, TRIGGER_LOCALS);

describe('terraform/modules/ci: the triggers', () => {
  let set: Body;
  let triggers: Record<string, Trigger>;
  beforeAll(async () => {
    set = await tfvars();
    const r = await evaluateTriggers(set);
    if (!r.ok) throw new Error(r.stderr);
    triggers = r.value.triggers;
  });

  it('plans pull requests and pushes to main, and applies each environment from the release branch', () => {
    expect(Object.keys(triggers).sort()).toEqual([
      ...ENVIRONMENTS.map((e) => `fusion-risk-apply-${e}`).sort(),
      'fusion-risk-plan',
      'fusion-risk-plan-push',
    ]);
    expect(triggers['fusion-risk-plan']).toMatchObject({ event: 'pull_request', branch: '^main$' });
    expect(triggers['fusion-risk-plan-push']).toMatchObject({ event: 'push', branch: '^main$' });
    for (const env of ENVIRONMENTS)
      expect(triggers[`fusion-risk-apply-${env}`]).toMatchObject({ event: 'push', branch: '^release$' });
  });

  it('sets _APPLY_ENV only on apply triggers, each to its own environment, and every apply requires approval', () => {
    const wrong = Object.entries(triggers)
      .map(([name, t]) => {
        const env = /^fusion-risk-apply-(\w+)$/.exec(name)?.[1] ?? '';
        const applyEnv = t.substitutions._APPLY_ENV ?? '';
        return { name, applyEnv, approval: t.approval_required, expected: env, needsApproval: env !== '' };
      })
      .filter((t) => t.applyEnv !== t.expected || t.approval !== t.needsApproval);
    expect(wrong).toEqual([]);
    // Plan triggers leave it unset, so cloudbuild.yaml's default '' applies nothing.
    expect('_APPLY_ENV' in triggers['fusion-risk-plan'].substitutions).toBe(false);
    expect(Object.values(triggers).filter((t) => t.apply_env !== (t.substitutions._APPLY_ENV ?? ''))).toEqual(
      [],
    );
  });

  it('passes the common substitutions to every trigger and each environment’s own to its apply trigger', () => {
    const common = set.substitutions as Record<string, string>;
    const perEnv = set.apply_substitutions as Record<string, Record<string, string>>;
    for (const [name, t] of Object.entries(triggers))
      expect({ name, ...t.substitutions }).toMatchObject(common);
    for (const env of ENVIRONMENTS)
      expect(triggers[`fusion-risk-apply-${env}`].substitutions).toMatchObject(perEnv[env] ?? {});
    expect(triggers['fusion-risk-plan'].substitutions).not.toHaveProperty('_DASHBOARD_OAUTH_CLIENT_ID');
  });

  it('runs plans as the plan service account and applies as the deploying one', () => {
    expect(triggers['fusion-risk-plan'].service_account).toBe(set.plan_service_account);
    expect(triggers['fusion-risk-plan-push'].service_account).toBe(set.plan_service_account);
    for (const env of ENVIRONMENTS)
      expect(triggers[`fusion-risk-apply-${env}`].service_account).toBe(set.service_account);
  });

  it('anchors branch names and escapes their dots, and defaults the plan account to the apply account', async () => {
    const r = await evaluateTriggers({ ...set, release_branch: 'release/1.x', plan_service_account: null });
    expect(r.ok ? '' : r.stderr).toBe('');
    if (!r.ok) return;
    expect(r.value.triggers['fusion-risk-apply-prod'].branch).toBe('^release/1\\.x$');
    expect(r.value.triggers['fusion-risk-plan'].service_account).toBe(set.service_account);
  });

  it.each([
    [
      '_APPLY_ENV among the common substitutions',
      { substitutions: { _APPLY_ENV: 'prod' } },
      /other than _APPLY_ENV/,
    ],
    [
      '_APPLY_ENV among an environment’s substitutions',
      { apply_substitutions: { dev: { _APPLY_ENV: 'prod' } } },
      /other than _APPLY_ENV/,
    ],
    [
      'a service account e-mail instead of its resource name',
      { service_account: 'a@p.iam.gserviceaccount.com' },
      /service_account must be projects\//,
    ],
    [
      'a repository that is not a GitHub clone URL',
      { repository_uri: 'git@github.com:o/r.git' },
      /repository_uri must be/,
    ],
    ['an unknown environment', { environments: ['qa'] }, /environments must be among dev, staging and prod/],
  ])('refuses %s', async (_what, change, message) => {
    const r = await evaluateTriggers({ ...set, ...change });
    expect(r.ok).toBe(false);
    expect(r.ok ? '' : r.stderr).toMatch(message);
  });
});

describe('terraform/modules/ci: the resources', () => {
  let res: Record<string, Record<string, Body>>;
  beforeAll(async () => {
    res = resourcesOf(await parseDir(CI_MODULE));
  });

  it('creates one trigger per local, running cloudbuild.yaml with its substitutions, approval and account', () => {
    const t = res.google_cloudbuild_trigger.this;
    expect(t).toMatchObject({
      for_each: '${local.triggers}',
      name: '${each.key}',
      filename: 'cloudbuild.yaml',
      location: '${var.region}',
      service_account: '${each.value.service_account}',
      substitutions: '${each.value.substitutions}',
    });
    expect(block(t, 'approval_config')?.approval_required).toBe('${each.value.approval_required}');
    const precondition = blocksOf(block(t, 'lifecycle') ?? {}, 'precondition')[0];
    expect(precondition?.condition).toBe('${each.value.apply_env == "" || each.value.approval_required}');
  });

  it('listens to the repository linked in the 2nd-gen connection: pull requests or pushes on the trigger’s branch', () => {
    const t = res.google_cloudbuild_trigger.this;
    const events = block(t, 'repository_event_config');
    expect(events?.repository).toBe('${google_cloudbuildv2_repository.this.id}');
    expect(dynamicContent(events, 'pull_request')).toEqual({
      branch: '${pull_request.value}',
      comment_control: 'COMMENTS_ENABLED_FOR_EXTERNAL_CONTRIBUTORS_ONLY',
    });
    expect(dynamicContent(events, 'push')).toEqual({ branch: '${push.value}' });
    expect(block(t, 'github')).toBeUndefined();
    expect(res.google_cloudbuildv2_repository.this).toMatchObject({
      location: '${var.region}',
      parent_connection: '${var.connection}',
      remote_uri: '${var.repository_uri}',
    });
    // The connection (its GitHub authorisation) is made by hand, never by Terraform: no token in the state.
    expect(res.google_cloudbuildv2_connection).toBeUndefined();
  });

  it('lets only the named approvers approve a pending apply', () => {
    expect(res.google_project_iam_member.approver).toMatchObject({
      for_each: '${toset(var.approvers)}',
      role: 'roles/cloudbuild.builds.approver',
      member: '${each.value}',
    });
  });
});

describe('terraform/ci: the root that applies the triggers', () => {
  let root: Body;
  let call: Body;
  let set: Body;
  beforeAll(async () => {
    root = await parseDir(CI_ROOT);
    call = labelled(root, 'module').ci ?? {};
    set = await tfvars();
  });

  it('keeps its state under fusion-risk/ci and calls only modules/ci', async () => {
    const backend = blocksOf(await parseHcl('backend.tf', read(join(CI_ROOT, 'backend.tf'))), 'terraform');
    expect(backend.map((t) => labelled(t, 'backend').gcs?.prefix)).toEqual(['fusion-risk/ci']);
    expect(Object.entries(labelled(root, 'module')).map(([n, c]) => [n, c.source])).toEqual([
      ['ci', '../modules/ci'],
    ]);
    expect(root.resource).toBeUndefined();
    // The provider and its pin are the environments' own (a link), so they move together.
    expect(realpathSync(join(CI_ROOT, 'versions.tf'))).toBe(
      realpathSync(join(TF_DIR, 'environments', 'shared', 'versions.tf')),
    );
    expect(labelled(root, 'provider').google).toMatchObject({ project: '${var.project_id}' });
  });

  it('passes every variable through under its own name, with the module’s type, and every required input', async () => {
    const rootVars = labelled(root, 'variable');
    const moduleVars = labelled(await parseDir(CI_MODULE), 'variable');
    const passed = Object.keys(call).filter((a) => a !== 'source');
    expect(passed.sort()).toEqual(Object.keys(rootVars).sort());
    expect(passed.filter((a) => call[a] !== `\${var.${a}}`)).toEqual([]);
    expect(passed.filter((a) => !(a in moduleVars))).toEqual([]);
    expect(
      Object.entries(moduleVars)
        .filter(([n, v]) => !('default' in v) && !(n in call))
        .map(([n]) => n),
    ).toEqual([]);
    expect(
      Object.entries(rootVars)
        .filter(([n, v]) => v.type !== moduleVars[n]?.type)
        .map(([n]) => n),
    ).toEqual([]);
    // A root passes null for what its terraform.tfvars leaves unset: the module's default must then apply.
    expect(
      Object.entries(moduleVars)
        .filter(([n, v]) => n in call && 'default' in v && v.default !== null && v.nullable !== false)
        .map(([n]) => n),
    ).toEqual([]);
  });

  it('sets in terraform.tfvars only declared variables, and every one without a default', () => {
    const vars = labelled(root, 'variable');
    expect(Object.keys(set).filter((k) => !(k in vars))).toEqual([]);
    expect(
      Object.entries(vars)
        .filter(([n, v]) => !('default' in v) && !(n in set))
        .map(([n]) => n),
    ).toEqual([]);
  });

  it('refers only to declared variables and module outputs', async () => {
    expect(await unresolved(CI_ROOT)).toEqual([]);
  });

  it('is what cloudbuild.yaml names: its header lists the triggers the module creates', async () => {
    const yaml = read(join(ROOT, 'cloudbuild.yaml'));
    const header = yaml.slice(0, yaml.indexOf('\nsubstitutions:'));
    expect(header).toContain('terraform/modules/ci');
    expect(header).toContain('terraform/ci');
    const r = await evaluateTriggers(set);
    if (!r.ok) throw new Error(r.stderr);
    const names = Object.keys(r.value.triggers).map((n) => n.replace(/-(dev|staging|prod)$/, '-<env>'));
    expect([...new Set(names)].filter((n) => !header.includes(`"${n}"`))).toEqual([]);
    expect(header).toContain('gcloud builds connections create github');
  });
});

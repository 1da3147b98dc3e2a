/** cloudbuild.yaml: the pipeline the Terraform in this repository is validated, planned and applied by. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ENVIRONMENTS, ROOT, read } from './hcl';

const yaml = read(join(ROOT, 'cloudbuild.yaml'));

/** Step id => the step's text (steps are `  - id: <id>` items). */
const steps = new Map(
  yaml
    .split(/\n(?= {2}- id: )/)
    .slice(1)
    .map((s) => [/^ {2}- id: (\S+)/.exec(s)?.[1] ?? '', s] as const),
);

describe('cloudbuild.yaml', () => {
  it('runs install, lint, typecheck, emulator tests, bundle, upload, fmt, and validate/plan for every environment', () => {
    const expected = [
      'install',
      'lint',
      'typecheck',
      'test',
      'bundle',
      'upload-bundles',
      'tf-fmt',
      ...ENVIRONMENTS.flatMap((e) => [`tf-validate-${e}`, `tf-plan-${e}`]),
      'tf-apply',
    ];
    expect([...steps.keys()]).toEqual(expect.arrayContaining(expected));
  });

  it('pins builder images through substitutions, with Terraform 1.11 and an emulators image for the tests', () => {
    const images = [...steps.entries()].map(([id, s]) => `${id}: ${/\n\s+name: (\S+)/.exec(s)?.[1]}`);
    expect(images.filter((i) => !/: \$\{_[A-Z_]+\}$/.test(i))).toEqual([]);
    expect(yaml).toMatch(/_TERRAFORM_IMAGE: hashicorp\/terraform:1\.11/);
    expect(yaml).toMatch(/_EMULATORS_IMAGE: gcr\.io\/google\.com\/cloudsdktool\/google-cloud-cli:emulators/);
    expect(steps.get('test')).toMatch(/name: \$\{_EMULATORS_IMAGE\}/);
    expect(steps.get('test')).toMatch(/npx jest/);
    expect(steps.get('install')).toMatch(/'--no-audit', '--no-fund'/);
  });

  it('installs exactly the lock file (npm ci) in Cloud Build and in CI', () => {
    expect(steps.get('install')).toMatch(/args: \['ci', /);
    expect(readFileSync(join(ROOT, '.ci', 'run'), 'utf8')).toMatch(/^npm ci --no-audit --no-fund$/m);
  });

  it('plans each environment in its own root with the remote state bucket', () => {
    for (const env of ENVIRONMENTS) {
      expect(steps.get(`tf-validate-${env}`)).toContain(`dir: terraform/environments/${env}`);
      expect(steps.get(`tf-validate-${env}`)).toMatch(
        /terraform init -backend-config="bucket=\$\{_TF_STATE_BUCKET\}"/,
      );
      expect(steps.get(`tf-validate-${env}`)).toContain('terraform validate');
      expect(steps.get(`tf-plan-${env}`)).toMatch(/'plan'.*'-out=tfplan'/);
      expect(steps.get(`tf-plan-${env}`)).toMatch(/waitFor: \[.*'bundle'.*\]/);
    }
    expect(steps.get('tf-fmt')).toMatch(/'fmt', '-check', '-recursive'/);
  });

  it('validates the triggers’ root (terraform/ci) without a backend, and never plans or applies it', () => {
    const validate = steps.get('tf-validate-ci') ?? '';
    expect(validate).toContain('dir: terraform/ci');
    expect(validate).toContain('terraform init -backend=false && terraform validate');
    expect(yaml).not.toMatch(/terraform\/ci\b[^\n]*\n[^\n]*'(plan|apply)'/);
    expect(steps.get('tf-apply')).toContain('cd "terraform/environments/${_APPLY_ENV}"');
  });

  it('applies only the saved plan of the environment named by _APPLY_ENV, and nothing when it is empty', () => {
    expect(yaml).toMatch(/_APPLY_ENV: ''/);
    const apply = steps.get('tf-apply') ?? '';
    expect(apply).toMatch(/'\) echo .*nothing applied.*exit 0/);
    expect(apply).toMatch(/dev\|staging\|prod\)/);
    expect(apply).toContain('terraform apply -lock-timeout=5m tfplan');
    expect(yaml).toMatch(/Require approval/);
  });

  it("deploys the applied environment's dashboard only: its config, then the bucket's whole content replaced", () => {
    const deploy = steps.get('deploy-dashboard') ?? '';
    expect(deploy).toMatch(/_APPLY_ENV.*nothing applied.*exit 0/);
    expect(deploy).toMatch(/waitFor: \['tf-apply', 'build-dashboard'\]/);
    expect(deploy).toContain("'auth': 'google', 'googleClientId': '${_DASHBOARD_OAUTH_CLIENT_ID}'");
    expect(deploy).toContain("e['riskApi']");
    // The officers' page talks to complianceCases through the same load balancer.
    expect(deploy).toContain("'casesApiUrl': e['complianceCases']");
    expect(deploy).toContain('gcloud storage rsync --recursive --delete-unmatched-destination-objects');
    expect(steps.get('tf-apply')).toContain('terraform output -json dashboard > /workspace/dashboard.json');
    expect(steps.get('build-dashboard')).toMatch(/'build:dashboard'/);
    expect(steps.get('promotion-record')).toMatch(/waitFor: \['tf-apply', 'deploy-dashboard'\]/);
    // The browser tests run in the test step too.
    expect(steps.get('test')).toMatch(/apt-get install -y --no-install-recommends chromium/);
  });

  it('sets a timeout and logging options', () => {
    expect(yaml).toMatch(/^timeout: \d+s$/m);
    expect(yaml).toMatch(/^options:\n(?: {2}.*\n)*? {2}logging: CLOUD_LOGGING_ONLY/m);
  });

  it('promotes one commit dev -> staging -> prod: applying an environment needs the previous one to have applied it', () => {
    const gate = steps.get('promotion-gate') ?? '';
    expect(gate).toMatch(/staging\) previous=dev ;;/);
    expect(gate).toMatch(/prod\) previous=staging ;;/);
    expect(gate).toContain('fusion-risk/promotions/$${previous}/${COMMIT_SHA}');
    expect(gate).toMatch(/exit 1/);
    expect(steps.get('tf-apply')).toMatch(/waitFor: \[.*'promotion-gate'.*\]/);
    const record = steps.get('promotion-record') ?? '';
    expect(record).toContain('fusion-risk/promotions/${_APPLY_ENV}/${COMMIT_SHA}');
    // Recorded once the environment is applied and its dashboard deployed.
    expect(record).toMatch(/waitFor: \['tf-apply', 'deploy-dashboard'\]/);
    expect(record).toMatch(/if \[ -z "\$\{_APPLY_ENV\}" \]; then .*exit 0; fi/);
  });
});

/**
 * What each deployed function finds in its environment, per environment: the functions module's locals are
 * evaluated offline with the environment's terraform.tfvars (read with @cdktf/hcl2json) and the KMS key the kms
 * module creates, and then each function's own configuration readers must accept that environment, as they do at
 * cold start. A setting the code requires but Terraform does not provide fails here, not in production.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readAmlConfig } from '../../../shared/platform/config/aml';
import { readEventTimeConfig } from '../../../shared/platform/config/event-time';
import { readConfig } from '../../../shared/platform/config/runtime';
import {
  readPersonaApiConfig,
  readPersonaWebhookConfig,
  readStartKycAuthConfig,
} from '../../../shared/platform/config/kyc';
import {
  readNotificationsConfig,
  readPreferencesAuthConfig,
} from '../../../shared/platform/config/notifications';
import { readOperationsConfig } from '../../../shared/platform/config/operations';
import { readPriceSourcesConfig } from '../../../shared/platform/config/prices';
import { readHistoryBackfillConfig } from '../../../shared/platform/config/history-backfill';
import { readRiskConfig } from '../../../shared/platform/config/risk';
import { readCheckRiskConfig, readRiskAdminConfig } from '../../../shared/platform/config/controls';
import { readRiskApiConfig } from '../../../shared/platform/config/risk-api';
import {
  readCaseOpenerConfig,
  readCaseSlaConfig,
  readComplianceCasesConfig,
} from '../../../shared/platform/config/cases';
import { readScreenTransactionConfig } from '../../../shared/platform/config/screen-transaction';
import retention from '../../../shared/contracts/retention.json';
import { evaluateLocals, functionsModuleArgs } from './evaluate';
import { ENVIRONMENTS, ROOT, TF_DIR, loadEnvironment, moduleNamed, parseHcl, topology } from './hcl';

const READERS: Record<string, (env: NodeJS.ProcessEnv) => unknown> = {
  readConfig,
  readPersonaWebhookConfig,
  readPersonaApiConfig,
  readStartKycAuthConfig,
  readNotificationsConfig,
  readPreferencesAuthConfig,
  readOperationsConfig,
  readAmlConfig,
  readEventTimeConfig,
  readPriceSourcesConfig,
  readHistoryBackfillConfig,
  readRiskConfig,
  readRiskAdminConfig,
  readCheckRiskConfig,
  readRiskApiConfig,
  readCaseOpenerConfig,
  readCaseSlaConfig,
  readComplianceCasesConfig,
  readScreenTransactionConfig,
};

/** Configuration readers a function's wiring calls (every function also reads the platform config). */
function readersOf(folder: string): string[] {
  const text = readFileSync(join(ROOT, 'functions', folder, 'wiring.ts'), 'utf8');
  const readers = [...text.matchAll(/\b(read[A-Z][A-Za-z]*Config)\(/g)].map((m) => m[1]);
  // The platform's warehouse maintenance is built from the operations settings.
  if (/\.maintenance\(\)/.test(text)) readers.push('readOperationsConfig');
  return ['readConfig', ...new Set(readers)];
}

interface Out {
  environment: Record<string, Record<string, string>>;
  function_urls: Record<string, string>;
}

interface EnvironmentInputs {
  function_environment: Record<string, Record<string, string>>;
  api_invokers: Record<string, string[]>;
  /** Topology outsideCallers name (platform) => service account e-mails. */
  outside_callers: Record<string, string[]>;
}

/**
 * What modules/environment hands the functions module from a root's terraform.tfvars: function_environment and
 * api_invokers as written, plus the settings it renders from their own validated variables (the case deadlines,
 * the case tool's roles and whether auditors see personal data), screenTransaction's former callers, and the
 * outside callers (the lending platform's service accounts).
 */
async function environmentInputs(env: string): Promise<EnvironmentInputs> {
  const tfvars = await parseHcl(
    'terraform.tfvars',
    readFileSync(join(TF_DIR, 'environments', env, 'terraform.tfvars'), 'utf8'),
  );
  const r = await evaluateLocals<EnvironmentInputs>(
    'environment',
    { ...tfvars, environment: env },
    ['function_environment', 'api_invokers', 'outside_callers'],
    {},
    [
      'case_sla_hours',
      'rendered_environment',
      'function_environment',
      'outside_callers',
      'rendered_invokers',
      'api_invokers',
    ],
  );
  if (!r.ok) throw new Error(r.stderr);
  return r.value;
}

describe.each(ENVIRONMENTS)('the environment of each function in %s', (env) => {
  let out: Out;
  const project = `fusion-risk-${env}`;
  const kycKey = `projects/${project}/locations/europe-west1/keyRings/fusion-risk-${env}/cryptoKeys/kyc`;

  beforeAll(async () => {
    const inputs = await environmentInputs(env);
    // What modules/environment passes as extra_environment (module outputs, known only at apply): same names.
    const tree = await loadEnvironment(env);
    const extra = moduleNamed(tree, 'environment').children.functions.inputs.extra_environment as Record<
      string,
      unknown
    >;
    const extraEnvironment = Object.fromEntries(
      Object.keys(extra).map((k) => [
        k,
        k === 'HOT_RETENTION_DAYS'
          ? String(retention.hotRetentionDays)
          : k === 'ARCHIVE_AFTER_DAYS'
            ? String(retention.archiveAfterDays)
            : `${project}-example`,
      ]),
    );
    const r = await evaluateLocals<Out>(
      'functions',
      {
        ...functionsModuleArgs(project, env),
        kms_keys: { kyc: { id: kycKey, env_var: 'KYC_KMS_KEY_NAME' } },
        extra_environment: extraEnvironment,
        function_environment: inputs.function_environment,
        // Who holds run.invoker decides the callers settings (RISK_CHECK_CALLERS, SCREEN_TRANSACTION_CALLERS).
        api_invokers: inputs.api_invokers,
        outside_callers: inputs.outside_callers,
      },
      ['environment', 'function_urls'],
    );
    if (!r.ok) throw new Error(r.stderr);
    out = r.value;
  });

  it.each(Object.entries(topology().functions))(
    '%s: its configuration readers accept what Terraform sets',
    (name, f) => {
      const environment = out.environment[name];
      expect(environment).toMatchObject({ FUNCTION_NAME: name, ENVIRONMENT: env, WAREHOUSE: 'bigquery' });
      const problems = readersOf(f.folder).flatMap((reader) => {
        try {
          READERS[reader]({ ...environment });
          return [];
        } catch (err) {
          return [`${reader}: ${(err as Error).message}`];
        }
      });
      expect(problems).toEqual([]);
    },
  );

  it('gives the KYC key only to the functions that encrypt or decrypt with it', () => {
    const holders = Object.entries(out.environment)
      .filter(([, e]) => 'KYC_KMS_KEY_NAME' in e)
      .map(([n]) => n);
    const topo = topology().functions as Record<string, { encrypts?: string[]; decrypts?: string[] }>;
    const named = Object.keys(topo).filter((n) =>
      [...(topo[n].encrypts ?? []), ...(topo[n].decrypts ?? [])].includes('kyc'),
    );
    expect(holders.sort()).toEqual(named.sort());
    expect(holders.sort()).toEqual(['complianceCases', 'evaluateAml', 'personaWebhook', 'screenTransaction']);
    for (const n of holders) expect(out.environment[n].KYC_KMS_KEY_NAME).toBe(kycKey);
  });

  it('renders the case settings from their own variables in the formats the readers parse', () => {
    const cases = out.environment.complianceCases;
    expect(cases.COMPLIANCE_CASES_ROLES).toMatch(
      /^[^;=|]+@[^;=|]+=(officer|senior_officer|auditor)(\|(officer|senior_officer|auditor))*(;[^;=|]+@[^;=|]+=(officer|senior_officer|auditor)(\|(officer|senior_officer|auditor))*)*$/,
    );
    expect(readComplianceCasesConfig({ ...cases }).roles.size).toBeGreaterThan(0);
    expect(cases.COMPLIANCE_AUDITORS_SEE_PERSONAL_DATA).toBe('false');
    // Every function that opens cases (their deadlines) or works them.
    for (const n of ['evaluateAml', 'screenTransaction', 'personaWebhook', 'complianceCases', 'watchCases'])
      expect({ n, sla: out.environment[n].CASE_SLA_HOURS }).toEqual({
        n,
        sla: 'CRITICAL=4,WARNING=24,INFO=72',
      });
    expect(out.environment.screenTransaction.SCREEN_TRANSACTION_AUDIENCE).toBe(
      out.function_urls.screenTransaction,
    );
  });

  it("lists the lending platform's service accounts as the callers of checkRisk and screenTransaction", () => {
    const platform = `lending-platform@${project}.iam.gserviceaccount.com`;
    expect(out.environment.screenTransaction.SCREEN_TRANSACTION_CALLERS).toBe(platform);
    expect(out.environment.checkRisk.RISK_CHECK_CALLERS).toBe(platform);
    expect(readCheckRiskConfig({ ...out.environment.checkRisk }).callers).toEqual([platform]);
    expect(readScreenTransactionConfig({ ...out.environment.screenTransaction }).callers).toEqual([platform]);
  });

  it.each(
    Object.entries(topology().functions).flatMap(([name, f]) =>
      f.callersSetting ? [[name, f.callersSetting] as const] : [],
    ),
  )('%s reads its callers setting %s: without it, its configuration refuses to start', (name, setting) => {
    const { [setting]: callers, ...without } = out.environment[name];
    expect(callers).toMatch(/@/);
    const problems = readersOf(topology().functions[name].folder).flatMap((reader) => {
      try {
        READERS[reader]({ ...without });
        return [];
      } catch (err) {
        return [(err as Error).message];
      }
    });
    expect(problems.join('\n')).toContain(`${setting} is not set`);
  });

  it('resolves {url:<function>} to that function, and lets no setting carry a secret name', () => {
    const audience = out.environment.notificationPreferences?.NOTIFY_PREFERENCES_AUDIENCE;
    expect(audience).toBe(out.function_urls.notificationPreferences);
    expect(audience).toBe(`https://europe-west1-${project}.cloudfunctions.net/notification-preferences`);
    expect(out.environment.startKyc?.KYC_START_AUDIENCE).toBe(out.function_urls.startKyc);
    const secrets = new Set(Object.values(topology().functions).flatMap((f) => f.secrets ?? []));
    const leaked = Object.entries(out.environment).flatMap(([n, e]) =>
      Object.keys(e)
        .filter((k) => secrets.has(k))
        .map((k) => `${n}: ${k}`),
    );
    expect(leaked).toEqual([]);
  });
});

describe('function_environment cannot override what the platform owns', () => {
  it('keeps WAREHOUSE, ENVIRONMENT and the function name whatever an operator sets', async () => {
    const r = await evaluateLocals<Out>(
      'functions',
      {
        ...functionsModuleArgs('fusion-risk-dev', 'dev'),
        function_environment: { '*': { WAREHOUSE: 'duckdb', ENVIRONMENT: 'local', LOG_LEVEL: 'DEBUG' } },
      },
      ['environment'],
    );
    expect(r.ok ? '' : r.stderr).toBe('');
    if (!r.ok) return;
    expect(r.value.environment.ingestPrices).toMatchObject({
      WAREHOUSE: 'bigquery',
      ENVIRONMENT: 'dev',
      FUNCTION_NAME: 'ingestPrices',
      LOG_LEVEL: 'DEBUG',
    });
  });
});

describe('who may call each function', () => {
  it('leaves public only the Persona webhook and the browser-facing riskApi and complianceCases (each checks its caller itself); pushed and scheduled functions to the invoker; HTTP APIs to named callers', async () => {
    const inputs = await environmentInputs('dev');
    const r = await evaluateLocals<{
      api: Record<string, unknown>;
      public: Record<string, unknown>;
      invoked: Record<string, unknown>;
      api_invoker_bindings: Record<string, { function: string; member: string }>;
    }>(
      'functions',
      {
        ...functionsModuleArgs('fusion-risk-dev', 'dev'),
        api_invokers: inputs.api_invokers,
        outside_callers: inputs.outside_callers,
      },
      ['api', 'public', 'invoked', 'api_invoker_bindings'],
    );
    expect(r.ok ? '' : r.stderr).toBe('');
    if (!r.ok) return;
    const topo = topology().functions;
    // The webhook verifies Persona's signature; riskApi and complianceCases verify the desk's and the officers' ID
    // tokens (a browser cannot pass IAM).
    expect(Object.keys(r.value.public).sort()).toEqual(['complianceCases', 'personaWebhook', 'riskApi']);
    expect(Object.keys(r.value.invoked).sort()).toEqual(
      Object.keys(topo)
        .filter((n) => (topo[n].subscriptions ?? []).length > 0 || topo[n].schedule)
        .sort(),
    );
    expect(Object.keys(r.value.api).sort()).toEqual([
      'checkRisk',
      'notificationPreferences',
      'riskAdmin',
      'screenTransaction',
      'startKyc',
    ]);
    expect(
      Object.values(r.value.api_invoker_bindings)
        .map((b) => b.function)
        .sort(),
    ).toEqual(['checkRisk', 'notificationPreferences', 'riskAdmin', 'screenTransaction', 'startKyc']);
    // checkRisk's and screenTransaction's invokers are the lending platform's service accounts
    // (platform_service_accounts, through the topology's outsideCallers.platform), nobody else.
    for (const fn of ['checkRisk', 'screenTransaction'])
      expect({
        fn,
        members: Object.values(r.value.api_invoker_bindings)
          .filter((b) => b.function === fn)
          .map((b) => b.member),
      }).toEqual({
        fn,
        members: ['serviceAccount:lending-platform@fusion-risk-dev.iam.gserviceaccount.com'],
      });
    // Services call services; only the admin API is called by people, as a group the desk manages.
    for (const b of Object.values(r.value.api_invoker_bindings))
      expect(`${b.function} ${b.member.split(':')[0]}`).toBe(
        `${b.function} ${b.function === 'riskAdmin' ? 'group' : 'serviceAccount'}`,
      );
  });
});

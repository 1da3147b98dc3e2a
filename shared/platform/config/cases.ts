/**
 * Configuration of the compliance case tool and of the paths that open cases, read once per cold start; every
 * problem is reported at once.
 *
 *   CASE_SLA_HOURS                       deadlines per severity, e.g. CRITICAL=4,WARNING=24,INFO=72 (the default)
 *   CASE_SLA_AT_RISK_AFTER               share of a deadline after which a case is at risk (default 0.75)
 *   COMPLIANCE_CASES_ROLES               who is what: `ann@bank.com=officer;sue@bank.com=senior_officer|officer;
 *                                        audit@bank.com=auditor`. Nobody is anything by default.
 *   COMPLIANCE_AUDITORS_SEE_PERSONAL_DATA  true lets auditors see decrypted personal data (default false)
 *   COMPLIANCE_CASES_ALLOWED_ORIGINS     the dashboard's origins (CORS), comma-separated
 *   KYC_KMS_KEY_NAME                     the KYC key (encrypt for the AML paths, decrypt for complianceCases)
 */
import { DEFAULT_SLA, parseSlaHours, type SlaPolicy } from '../../domain/cases/sla';
import type { OfficerRole } from '../../domain/cases/case-state';
import { kycKeyName } from './kyc';
import {
  browserOrigins,
  ConfigError,
  environmentOf,
  readCallerAuth,
  type CallerAuthConfig,
  type Environment,
} from './runtime';

const ROLES: readonly OfficerRole[] = ['officer', 'senior_officer', 'auditor'];

export function slaOf(env: NodeJS.ProcessEnv, problems: string[]): SlaPolicy {
  const hours = env.CASE_SLA_HOURS;
  const mine: string[] = [];
  const deadlineMs =
    hours === undefined || hours === '' ? DEFAULT_SLA.deadlineMs : parseSlaHours(hours, mine);
  problems.push(...mine.map((p) => `CASE_SLA_HOURS: ${p}`));
  const raw = env.CASE_SLA_AT_RISK_AFTER;
  const atRiskAfter = raw === undefined || raw === '' ? DEFAULT_SLA.atRiskAfter : Number(raw);
  if (!(atRiskAfter > 0 && atRiskAfter < 1))
    problems.push(`CASE_SLA_AT_RISK_AFTER must be a number in (0, 1) (got '${raw}')`);
  return { deadlineMs, atRiskAfter };
}

/** Deadlines alone (watchCases, which opens cases only for what it delivers late and holds no key). */
export function readCaseSlaConfig(env: NodeJS.ProcessEnv = process.env): SlaPolicy {
  const problems: string[] = [];
  const sla = slaOf(env, problems);
  if (problems.length) throw new ConfigError(problems);
  return sla;
}

/** The paths that open cases (evaluateAml, screenTransaction, personaWebhook): the key and the deadlines. */
export interface CaseOpenerConfig {
  environment: Environment;
  kmsKeyName?: string;
  sla: SlaPolicy;
}

export function readCaseOpenerConfig(env: NodeJS.ProcessEnv = process.env): CaseOpenerConfig {
  const problems: string[] = [];
  const environment = environmentOf(env, problems);
  const kmsKeyName = kycKeyName(env, environment, problems);
  const sla = slaOf(env, problems);
  if (problems.length) throw new ConfigError(problems);
  return { environment, kmsKeyName, sla };
}

export interface ComplianceCasesConfig extends CallerAuthConfig, CaseOpenerConfig {
  roles: Map<string, readonly OfficerRole[]>;
  auditorsSeePersonalData: boolean;
  /** The dashboard's origins (CORS), COMPLIANCE_CASES_ALLOWED_ORIGINS. */
  allowedOrigins: string[];
}

function parseRoles(raw: string, problems: string[]): Map<string, readonly OfficerRole[]> {
  const roles = new Map<string, readonly OfficerRole[]>();
  for (const entry of raw
    .split(';')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const [who, list, extra] = entry.split('=');
    if (extra !== undefined || !who || !list) {
      problems.push(`COMPLIANCE_CASES_ROLES: '${entry}' is not identity=role|role`);
      continue;
    }
    const id = who.trim();
    if (!/^[^\s@]+@[^\s@]+$/.test(id)) problems.push(`COMPLIANCE_CASES_ROLES: '${id}' is not an e-mail`);
    const given = list.split('|').map((r) => r.trim());
    const bad = given.filter((r) => !(ROLES as readonly string[]).includes(r));
    if (bad.length) problems.push(`COMPLIANCE_CASES_ROLES: ${bad.join(', ')} (roles: ${ROLES.join(', ')})`);
    roles.set(
      id,
      given.filter((r): r is OfficerRole => (ROLES as readonly string[]).includes(r)),
    );
  }
  return roles;
}

export function readComplianceCasesConfig(env: NodeJS.ProcessEnv = process.env): ComplianceCasesConfig {
  const problems: string[] = [];
  let opener: CaseOpenerConfig | undefined;
  let auth: CallerAuthConfig | undefined;
  try {
    opener = readCaseOpenerConfig(env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    problems.push(...err.problems);
  }
  try {
    auth = readCallerAuth(env, 'COMPLIANCE_CASES');
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    problems.push(...err.problems);
  }
  const roles = parseRoles(env.COMPLIANCE_CASES_ROLES ?? '', problems);
  const allowedOrigins = browserOrigins(
    env,
    'COMPLIANCE_CASES_ALLOWED_ORIGINS',
    opener?.environment ?? 'prod',
    problems,
  );
  const see = (env.COMPLIANCE_AUDITORS_SEE_PERSONAL_DATA ?? 'false').toLowerCase();
  if (see !== 'true' && see !== 'false')
    problems.push(`COMPLIANCE_AUDITORS_SEE_PERSONAL_DATA must be true or false (got '${see}')`);
  if (problems.length || !opener || !auth) throw new ConfigError(problems);
  return { ...opener, ...auth, roles, auditorsSeePersonalData: see === 'true', allowedOrigins };
}

/**
 * screenTransaction: who may call it (SCREEN_TRANSACTION_CALLERS, comma-separated service identities; the ID
 * token per SCREEN_TRANSACTION_AUTH and SCREEN_TRANSACTION_AUDIENCE), plus what every path that opens cases
 * reads (the KYC key, the deadlines). Nobody may call it by default outside the local stack.
 */
import { readCaseOpenerConfig, type CaseOpenerConfig } from './cases';
import { ConfigError, environmentOf, readCallerAuth, type CallerAuthConfig } from './runtime';

export interface ScreenTransactionConfig extends CallerAuthConfig, CaseOpenerConfig {
  callers: string[];
}

export function readScreenTransactionConfig(env: NodeJS.ProcessEnv = process.env): ScreenTransactionConfig {
  const problems: string[] = [];
  const environment = environmentOf(env, problems);
  const parts: Partial<CallerAuthConfig & CaseOpenerConfig> = {};
  for (const read of [() => readCallerAuth(env, 'SCREEN_TRANSACTION'), () => readCaseOpenerConfig(env)])
    try {
      Object.assign(parts, read());
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      problems.push(...err.problems);
    }
  const callers = (env.SCREEN_TRANSACTION_CALLERS ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  // Fail closed: a deployment that names nobody would otherwise have to let everybody in.
  if (callers.length === 0 && environment !== 'local')
    problems.push('SCREEN_TRANSACTION_CALLERS is not set (the identities allowed to call screenTransaction)');
  if (problems.length) throw new ConfigError(problems);
  return { ...(parts as CallerAuthConfig & CaseOpenerConfig), callers };
}

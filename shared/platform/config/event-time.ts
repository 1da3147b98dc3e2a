/**
 * The bound on event times from outside, read by every function that orders or prunes by one (evaluateAml,
 * computePortfolioRisk, personaWebhook), once per cold start, so they all refuse the same events.
 */
import { DEFAULT_EVENT_TIME_MAX_SKEW_SECONDS, MAX_EVENT_TIME_SKEW_SECONDS } from '../../domain/event-time';
import { ConfigError, integer } from './runtime';

export interface EventTimeConfig {
  /** An event time later than now plus this many seconds is refused (dead-lettered, operators alerted). */
  maxSkewSeconds: number;
}

export function readEventTimeConfig(env: NodeJS.ProcessEnv = process.env): EventTimeConfig {
  const problems: string[] = [];
  const maxSkewSeconds = integer(
    env,
    'EVENT_TIME_MAX_SKEW_SECONDS',
    DEFAULT_EVENT_TIME_MAX_SKEW_SECONDS,
    0,
    MAX_EVENT_TIME_SKEW_SECONDS,
    problems,
  );
  if (problems.length) throw new ConfigError(problems);
  return { maxSkewSeconds };
}

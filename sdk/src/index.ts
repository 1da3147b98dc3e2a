export { RiskClient } from './client.js';
export type {
  CheckRiskInput,
  ListAlertsOptions,
  MarginHealthView,
  PortfolioExposure,
  RiskClientOptions,
  VarView,
} from './client.js';
export type { ConnectionState, StreamPortfolio, SubscribeOptions, Subscription } from './subscription.js';
export type { TokenSource } from './http.js';
export type { Sleep } from './backoff.js';
export {
  AuthenticationError,
  ConnectionError,
  CursorExpiredError,
  InvalidRequestError,
  NotFoundError,
  PermissionError,
  RateLimitedError,
  RiskApiError,
  ServiceUnavailableError,
} from './errors.js';
export type { RiskErrorCode } from './errors.js';
export { SseParser } from './sse.js';
export type { SseEvent } from './sse.js';
export type * from './generated/api-types.js';

/** The vocabulary of the notifications area: channels, severities, recipients and normalised alerts. */
import { FIRESTORE_COLLECTIONS } from '../../contracts/firestore';
import type { SchemaTypes } from '../../contracts/schema-types';

export type MarginAlert = SchemaTypes['messages/alerts.margin.v1'];
export type AmlAlert = SchemaTypes['messages/alerts.aml.v1'];
export type PriceAlert = SchemaTypes['messages/alerts.prices.v1'];
export type OperationsAlert = SchemaTypes['messages/alerts.operations.v1'];
export type RiskAlert = SchemaTypes['messages/alerts.risk.v1'];
export type CaseAlert = SchemaTypes['messages/alerts.cases.v1'];
export type Dispatch = SchemaTypes['messages/notifications.dispatch.v1'];
export type Preferences = SchemaTypes['inputs/notification-preferences'];
export type DeliveryRow = SchemaTypes['warehouse/notifications.deliveries'];

export type Channel = Dispatch['channel'];
export type Severity = Dispatch['severity'];
export type AlertSource = Dispatch['source'];

const SEVERITY_RANK: Record<Severity, number> = { INFO: 0, WARNING: 1, CRITICAL: 2 };

export function severityRank(s: Severity): number {
  return SEVERITY_RANK[s];
}

/** Where a recipient can be reached. The webhook secret is a Secret Manager name, never the secret itself. */
/**
 * Webhook signing secrets live in Secret Manager under this prefix, and deliverNotification may read only those
 * (Terraform grants it by an IAM condition on the prefix): a recipient document naming any other secret, such as
 * a provider API key, is refused rather than used to sign.
 */
export const WEBHOOK_SECRET_PREFIX = 'NOTIFY_WEBHOOK_';

export interface Contacts {
  email?: string;
  phone?: string;
  webhook?: { url: string; secretName: string };
}

/** Document `notificationRecipients/{recipientId}`. */
export interface RecipientDoc {
  [key: string]: unknown;
  recipientId: string;
  displayName: string;
  /** Identity allowed to read and change these preferences (the Google account's e-mail). */
  principal: string;
  contacts: Contacts;
  preferences: Preferences;
  updatedAt?: string;
}

/** Document `portfolioOwners/{portfolioId}`: who is told about a portfolio. */
export interface PortfolioOwnerDoc {
  [key: string]: unknown;
  portfolioId: string;
  recipientIds: string[];
}

/**
 * Document `notificationTeams/{teamId}`: the members told about a team's alerts (compliance: AML alerts and
 * compliance cases nearing or past their service level; the risk desk's on-call rota: price and risk-control
 * alerts; operations: operations alerts).
 */
export interface TeamDoc {
  [key: string]: unknown;
  teamId: string;
  recipientIds: string[];
}

export const NOTIFICATION_COLLECTIONS = FIRESTORE_COLLECTIONS.notifications;

export const COMPLIANCE_TEAM = 'compliance';

/**
 * The risk desk's on-call team: told about price-feed outages, portfolios that could not be valued and risk
 * controls (kill-switch changes, invalid policies, limit breaches).
 */
export const RISK_DESK_TEAM = 'risk-desk';

/** The operations on-call team: told about problems fixed upstream, such as events dated in the future. */
export const OPERATIONS_TEAM = 'operations';

/** An alert of any source in the shape the fan-out reasons about. */
export interface NormalizedAlert {
  source: AlertSource;
  alertId: string;
  /** e.g. margin.MARGIN_CALL, aml.structuring, prices.NO_USABLE_PRICE: the de-duplication kind and the template. */
  kind: string;
  /**
   * Portfolio id (margin, unvalued portfolio), customer id (AML), asset (price feed), source topic (operations),
   * scope key (risk controls) or case id (compliance case service levels).
   */
  subject: string;
  severity: Severity;
  /** Orders alerts of one subject: a higher level than what was last sent is news. */
  level: number;
  /** An escalation (e.g. margin call → liquidation) is never suppressed. */
  escalation: boolean;
  alert: MarginAlert | AmlAlert | PriceAlert | OperationsAlert | RiskAlert | CaseAlert;
}

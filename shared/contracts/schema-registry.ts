/**
 * Every JSON Schema of the project, imported statically so bundled functions carry them. A test checks that
 * this list and the files under schemas/ are the same set. Areas added after the risk core keep their own lists
 * in ./areas so they can grow independently.
 */
import marketPrices from '../../schemas/messages/market.prices.v1.json';
import portfolioPositions from '../../schemas/messages/portfolio.positions.v1.json';
import portfolioRisk from '../../schemas/messages/risk.portfolio-risk.v1.json';
import portfolioRiskItem from '../../schemas/shared/portfolio-risk.json';
import shardWork from '../../schemas/messages/risk.shard-work.v1.json';
import marginAlert from '../../schemas/messages/alerts.margin.v1.json';
import priceAlert from '../../schemas/messages/alerts.prices.v1.json';
import portfolioFile from '../../schemas/inputs/portfolio.json';
import marketPriceRow from '../../schemas/warehouse/market.prices.json';
import exposureRow from '../../schemas/warehouse/risk.portfolio_exposures.json';
import marginEventRow from '../../schemas/warehouse/risk.margin_events.json';
import { AML_SCHEMAS } from './areas/aml';
import { KYC_SCHEMAS } from './areas/kyc';
import { NOTIFICATION_SCHEMAS } from './areas/notifications';
import { OPERATIONS_SCHEMAS } from './areas/operations';

export const SCHEMAS = {
  'messages/market.prices.v1': marketPrices,
  'messages/portfolio.positions.v1': portfolioPositions,
  'messages/risk.portfolio-risk.v1': portfolioRisk,
  'messages/risk.shard-work.v1': shardWork,
  'messages/alerts.margin.v1': marginAlert,
  'messages/alerts.prices.v1': priceAlert,
  'inputs/portfolio': portfolioFile,
  'shared/portfolio-risk': portfolioRiskItem,
  'warehouse/market.prices': marketPriceRow,
  'warehouse/risk.portfolio_exposures': exposureRow,
  'warehouse/risk.margin_events': marginEventRow,
  // Each area registers its own schemas in shared/contracts/areas/<area>.ts.
  ...KYC_SCHEMAS,
  ...AML_SCHEMAS,
  ...NOTIFICATION_SCHEMAS,
  ...OPERATIONS_SCHEMAS,
} as const;

export type SchemaName = keyof typeof SCHEMAS;

/** backfillCloses: the deployed entry point, its one wiring (./wiring.ts) on the Google Cloud platform. */
import { register } from '../runtime/register';
import { backfillCloses } from './wiring';

register(backfillCloses);

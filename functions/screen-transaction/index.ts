/** screenTransaction: the deployed entry point, its one wiring (./wiring.ts) on the Google Cloud platform. */
import { register } from '../runtime/register';
import { screenTransaction } from './wiring';

register(screenTransaction);

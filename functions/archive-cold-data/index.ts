/** archiveColdData: the deployed entry point, its one wiring (./wiring.ts) on the Google Cloud platform. */
import { register } from '../runtime/register';
import { archiveColdData } from './wiring';

register(archiveColdData);

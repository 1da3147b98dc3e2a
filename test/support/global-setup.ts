/**
 * Starts the real Pub/Sub and Firestore emulators once for the whole run on free ports; test files share
 * them but each takes its own project id, which both emulators keep fully separate.
 */
import { startEmulators, type Emulators } from '../../local-stack/emulators';

declare global {
  var __fusionEmulators: Emulators | undefined;
}

export default async function globalSetup(): Promise<void> {
  const emulators = await startEmulators();
  globalThis.__fusionEmulators = emulators;
  process.env.PUBSUB_EMULATOR_HOST = emulators.pubsubHost;
  process.env.FIRESTORE_EMULATOR_HOST = emulators.firestoreHost;
  process.env.METADATA_SERVER_DETECTION = 'none';
}

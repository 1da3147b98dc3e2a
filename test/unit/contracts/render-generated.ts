/**
 * Prints renderGenerated() as JSON. Run in its own Node process (as `npm run gen` runs the generator): its
 * formatter dependency loads prettier, whose dynamic import Jest's module sandbox cannot execute.
 */
import { renderGenerated } from '../../../shared/contracts/generate';

void renderGenerated().then((files) => {
  process.stdout.write(JSON.stringify(files));
});

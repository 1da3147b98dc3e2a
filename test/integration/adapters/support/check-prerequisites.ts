/** Runs checkPrerequisites() under whatever PATH this process was given; prints the outcome as JSON. */
import { checkPrerequisites } from '../../../../local-stack/emulators';

try {
  checkPrerequisites();
  process.stdout.write(JSON.stringify({ ok: true }));
} catch (err) {
  process.stdout.write(JSON.stringify({ ok: false, message: (err as Error).message }));
}

/**
 * A script whose last act is stopping a detached, unref'd process group the way the emulators' watchdog is
 * stopped: the line after the stop must still run. The group takes half a second to go after SIGTERM, and
 * nothing else keeps this process alive meanwhile.
 */
import { spawn } from 'node:child_process';
import { killGroup } from '../../../../local-stack/emulators';

void (async () => {
  const child = spawn('bash', ['-c', 'trap "sleep 0.5; exit 0" TERM; while :; do sleep 0.1; done'], {
    detached: true,
    stdio: 'ignore',
  });
  child.unref();
  await new Promise((r) => setTimeout(r, 300)); // the trap is set
  await killGroup(child);
  process.stdout.write(`after stop, exit code ${String(child.exitCode)}\n`);
})();

/**
 * A stand-in for `npm start` or a test run: starts the emulators, prints their hosts as one JSON line, and
 * stops them when it reads "stop" on stdin (then prints "stopped"). Killing it with SIGKILL instead is the
 * crash the emulators' watchdog must survive for us.
 */
import { createInterface } from 'node:readline';
import { startEmulators } from '../../../../local-stack/emulators';

void (async () => {
  const emulators = await startEmulators();
  process.stdout.write(
    JSON.stringify({
      pid: process.pid,
      pubsubHost: emulators.pubsubHost,
      firestoreHost: emulators.firestoreHost,
    }) + '\n',
  );
  const lines = createInterface({ input: process.stdin });
  lines.on('line', (line) => {
    if (line.trim() !== 'stop') return;
    void emulators.stop().then(() => {
      process.stdout.write('stopped\n');
      process.exit(0);
    });
  });
})().catch((err: unknown) => {
  process.stderr.write(`${(err as Error).message}\n`);
  process.exit(1);
});

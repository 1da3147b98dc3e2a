/**
 * Starts the official Pub/Sub and Firestore emulators from the Google Cloud SDK and guarantees they die with
 * us: each runs in its own process group under a small bash watchdog that kills the group (gcloud and its
 * Java child) when the Node parent disappears — Ctrl-C, a crashed test run, or a normal stop.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface EmulatorPorts {
  pubsub: number;
  firestore: number;
}

export interface Emulators {
  pubsubHost: string;
  firestoreHost: string;
  stop(): Promise<void>;
}

const HOST = '127.0.0.1';

/** Ports from firebase.json (`emulators.pubsub.port`, `emulators.firestore.port`). */
export function firebasePorts(
  root = join(__dirname, '..'),
): EmulatorPorts & { functions: number; dashboard: number } {
  const cfg = JSON.parse(readFileSync(join(root, 'firebase.json'), 'utf8')) as {
    emulators: Record<string, { port?: number }>;
  };
  return {
    pubsub: cfg.emulators.pubsub?.port ?? 8085,
    firestore: cfg.emulators.firestore?.port ?? 8181,
    functions: cfg.emulators.functions?.port ?? 8090,
    // The dashboard is served where Firebase's Hosting emulator would serve it.
    dashboard: cfg.emulators.hosting?.port ?? 5000,
  };
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, HOST, () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

const INSTALL_HINT =
  'Install Java 17 and the Cloud SDK emulators, e.g. on Debian/Ubuntu with the Google Cloud apt repository:\n' +
  '  apt-get install -y openjdk-17-jre-headless google-cloud-cli google-cloud-cli-pubsub-emulator google-cloud-cli-firestore-emulator\n' +
  'or with a tarball Cloud SDK: gcloud components install beta pubsub-emulator cloud-firestore-emulator';

/** Names exactly what is missing instead of failing later with an obscure spawn error. */
export function checkPrerequisites(): void {
  const missing: string[] = [];
  const java = spawnSync('java', ['-version'], { encoding: 'utf8' });
  if (java.error || java.status !== 0) missing.push('java (JRE 17+)');
  const gcloud = spawnSync('gcloud', ['info', '--format=value(installation.sdk_root)'], { encoding: 'utf8' });
  if (gcloud.error || gcloud.status !== 0) {
    missing.push('gcloud (Google Cloud SDK)');
  } else {
    const root = gcloud.stdout.trim();
    const probe = (dir: string) => existsSync(join(root, 'platform', dir));
    if (!probe('pubsub-emulator')) missing.push('the Pub/Sub emulator (component pubsub-emulator)');
    if (!probe('cloud-firestore-emulator'))
      missing.push('the Firestore emulator (component cloud-firestore-emulator)');
  }
  if (missing.length)
    throw new Error(`Cannot start the local GCP stack: missing ${missing.join(', ')}.\n${INSTALL_HINT}`);
}

// The watchdog: runs the emulator in the background, polls the Node parent, and on its disappearance (or a
// TERM) kills the emulator's process group (gcloud makes itself a group leader; Java lives in that group) and
// then its own.
const WATCHDOG = `
parent=$1; shift
"$@" &
child=$!
cleanup() { kill -KILL -- -"$child" 2>/dev/null; kill -KILL "$child" 2>/dev/null; kill -KILL 0; }
trap cleanup TERM INT HUP
while kill -0 "$parent" 2>/dev/null && kill -0 "$child" 2>/dev/null; do sleep 0.5 & wait $!; done
cleanup
`;

/**
 * The emulators' JVMs run with the first-tier (C1) compiler only and the serial collector. They live for minutes
 * and share two cores with the functions: there, compiling hot code again with the optimising C2 compiler, and
 * G1's concurrent threads, cost more CPU than they save. Measured with the pipeline bench, every area wired
 * (CPU seconds per tick): Firestore emulator 0.47–0.51 → 0.22–0.26, Pub/Sub emulator 0.16–0.17 → 0.09–0.11.
 * EMULATOR_JAVA_OPTIONS replaces these (empty: the JVM's defaults); JAVA_TOOL_OPTIONS already set comes after
 * them, so an option given there wins.
 */
export const EMULATOR_JAVA_OPTIONS = '-XX:TieredStopAtLevel=1 -XX:+UseSerialGC';

/** The environment the emulators run in: this process's, with the JVM options above in JAVA_TOOL_OPTIONS. */
export function emulatorEnv(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const ours = env.EMULATOR_JAVA_OPTIONS ?? EMULATOR_JAVA_OPTIONS;
  const options = [ours, env.JAVA_TOOL_OPTIONS]
    .map((o) => o?.trim())
    .filter(Boolean)
    .join(' ');
  const out = { ...env };
  if (options) out.JAVA_TOOL_OPTIONS = options;
  else delete out.JAVA_TOOL_OPTIONS;
  return out;
}

function launch(args: string[], logName: string, log: string[]): ChildProcess {
  const child = spawn('bash', ['-c', WATCHDOG, 'watchdog', String(process.pid), 'gcloud', ...args], {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: emulatorEnv(),
  });
  const keep = (chunk: Buffer) => {
    log.push(`[${logName}] ${chunk.toString()}`);
    if (log.length > 200) log.shift();
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  child.unref();
  return child;
}

async function waitUntilAnswering(
  url: string,
  child: ChildProcess,
  log: string[],
  timeoutMs = 60000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null)
      throw new Error(`emulator exited early (${child.exitCode}):\n${log.join('')}`);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
      if (res.ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`emulator at ${url} did not answer within ${timeoutMs} ms:\n${log.join('')}`);
}

/**
 * Resolves once the emulator's group is gone (or after 5 s). The timer is deliberately not unref'd: the watchdog
 * itself is, so with everything else closed an unref'd wait let Node exit with code 0 before stop() resolved, and
 * a script's last lines (a benchmark's figures) were never printed — seen in about one run in four.
 */
export function killGroup(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.pid === undefined) return resolve();
    const fallback = setTimeout(resolve, 5000);
    child.once('exit', () => {
      clearTimeout(fallback);
      resolve();
    });
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      clearTimeout(fallback);
      resolve();
    }
  });
}

export async function startEmulators(ports?: Partial<EmulatorPorts>): Promise<Emulators> {
  checkPrerequisites();
  const pubsubPort = ports?.pubsub ?? (await freePort());
  const firestorePort = ports?.firestore ?? (await freePort());
  const log: string[] = [];
  const pubsub = launch(
    ['beta', 'emulators', 'pubsub', 'start', `--host-port=${HOST}:${pubsubPort}`, '--quiet'],
    'pubsub',
    log,
  );
  const firestore = launch(
    ['emulators', 'firestore', 'start', `--host-port=${HOST}:${firestorePort}`, '--quiet'],
    'firestore',
    log,
  );
  const stop = async () => {
    await Promise.all([killGroup(pubsub), killGroup(firestore)]);
  };
  try {
    await Promise.all([
      waitUntilAnswering(`http://${HOST}:${pubsubPort}/`, pubsub, log),
      waitUntilAnswering(`http://${HOST}:${firestorePort}/`, firestore, log),
    ]);
  } catch (err) {
    await stop();
    throw err;
  }
  return { pubsubHost: `${HOST}:${pubsubPort}`, firestoreHost: `${HOST}:${firestorePort}`, stop };
}

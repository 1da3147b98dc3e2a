/**
 * The local stack's emulator launcher: it names exactly what is missing on a fresh machine, and the Java
 * emulators never outlive the Node process that started them — whether it stops them or is killed outright.
 */
import { execFile, execFileSync, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { EMULATOR_JAVA_OPTIONS, emulatorEnv } from '../../../local-stack/emulators';
import { waitFor } from '../../support/env';

const SUPPORT = join(__dirname, 'support');

describe('checkPrerequisites', () => {
  let dir: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'prereq-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** A PATH holding exactly the given tools: real java, a fake gcloud reporting an SDK with some components. */
  function pathWith(name: string, tools: { java?: boolean; gcloudComponents?: string[] }): string {
    const bin = join(dir, name, 'bin');
    mkdirSync(bin, { recursive: true });
    symlinkSync('/usr/bin/test', join(bin, 'test'));
    if (tools.java)
      symlinkSync(
        execFileSync('readlink', ['-f', '/usr/bin/java'], { encoding: 'utf8' }).trim(),
        join(bin, 'java'),
      );
    if (tools.gcloudComponents) {
      const sdk = join(dir, name, 'sdk');
      for (const c of tools.gcloudComponents) mkdirSync(join(sdk, 'platform', c), { recursive: true });
      writeFileSync(join(bin, 'gcloud'), `#!/bin/sh\necho ${sdk}\n`);
      chmodSync(join(bin, 'gcloud'), 0o755);
    }
    return bin;
  }

  function check(path: string): Promise<{ ok: boolean; message?: string }> {
    return new Promise((resolve, reject) => {
      execFile(
        process.execPath,
        ['-r', 'tsx/cjs', join(SUPPORT, 'check-prerequisites.ts')],
        { env: { PATH: path, HOME: dir }, timeout: 30_000 },
        (err, stdout, stderr) =>
          err
            ? reject(new Error(`${err.message}\n${stderr}`))
            : resolve(JSON.parse(stdout) as { ok: boolean }),
      );
    });
  }

  it('names Java and the Cloud SDK, and how to install them, on a machine with neither', async () => {
    const r = await check(pathWith('bare', {}));
    expect(r.ok).toBe(false);
    expect(r.message).toMatch(
      /^Cannot start the local GCP stack: missing java \(JRE 17\+\), gcloud \(Google Cloud SDK\)\.\n/,
    );
    expect(r.message).toContain(
      'apt-get install -y openjdk-17-jre-headless google-cloud-cli google-cloud-cli-pubsub-emulator google-cloud-cli-firestore-emulator',
    );
    expect(r.message).toContain('gcloud components install beta pubsub-emulator cloud-firestore-emulator');
  });

  it('names only the missing emulator component when Java and gcloud are there', async () => {
    const r = await check(pathWith('no-firestore', { java: true, gcloudComponents: ['pubsub-emulator'] }));
    expect(r.ok).toBe(false);
    expect(r.message).toMatch(
      /^Cannot start the local GCP stack: missing the Firestore emulator \(component cloud-firestore-emulator\)\.\n/,
    );
    expect(r.message).not.toMatch(/missing.*(java|Pub\/Sub)/);
  });

  it('names only Java when the SDK and both emulators are installed', async () => {
    const r = await check(
      pathWith('no-java', { gcloudComponents: ['pubsub-emulator', 'cloud-firestore-emulator'] }),
    );
    expect(r).toEqual({
      ok: false,
      message: expect.stringMatching(/^Cannot start the local GCP stack: missing java \(JRE 17\+\)\.\n/),
    });
  });

  it('is satisfied when everything is installed', async () => {
    const r = await check(
      pathWith('complete', { java: true, gcloudComponents: ['pubsub-emulator', 'cloud-firestore-emulator'] }),
    );
    expect(r).toEqual({ ok: true });
  });
});

/** Processes (pid, args) that look like an emulator and mention one of the ports. */
function emulatorProcesses(ports: number[]): { pid: number; args: string }[] {
  const out = execFileSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' });
  return out
    .split('\n')
    .map((l) => /^\s*(\d+)\s+(.*)$/.exec(l))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ pid: Number(m[1]), args: m[2] }))
    .filter((p) => /java|gcloud|emulator/.test(p.args))
    .filter((p) => ports.some((port) => new RegExp(`(^|[^0-9])${port}([^0-9]|$)`).test(p.args)));
}

async function answers(host: string): Promise<boolean> {
  try {
    return (await fetch(`http://${host}/`, { signal: AbortSignal.timeout(2000) })).ok;
  } catch {
    return false;
  }
}

interface Started {
  child: ChildProcessWithoutNullStreams;
  ports: number[];
  hosts: string[];
  lines: AsyncIterableIterator<string>;
}

async function startInChild(): Promise<Started> {
  const child = spawn(process.execPath, ['-r', 'tsx/cjs', join(SUPPORT, 'emulator-child.ts')], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const first = await lines.next();
  if (first.done) throw new Error(`emulator child exited before starting: ${stderr}`);
  const info = JSON.parse(first.value) as { pubsubHost: string; firestoreHost: string };
  const hosts = [info.pubsubHost, info.firestoreHost];
  return { child, hosts, ports: hosts.map((h) => Number(h.split(':').pop())), lines };
}

describe("the emulators' JVM options", () => {
  it('puts the first-tier compiler and the serial collector in JAVA_TOOL_OPTIONS, before any already set', () => {
    expect(EMULATOR_JAVA_OPTIONS).toBe('-XX:TieredStopAtLevel=1 -XX:+UseSerialGC');
    expect(emulatorEnv({ PATH: '/bin' })).toEqual({ PATH: '/bin', JAVA_TOOL_OPTIONS: EMULATOR_JAVA_OPTIONS });
    // The JVM takes the last of a repeated option: the operator's own setting wins.
    const given = { JAVA_TOOL_OPTIONS: '-XX:+UseG1GC -Xmx1g' };
    expect(emulatorEnv(given).JAVA_TOOL_OPTIONS).toBe(`${EMULATOR_JAVA_OPTIONS} -XX:+UseG1GC -Xmx1g`);
    expect(given).toEqual({ JAVA_TOOL_OPTIONS: '-XX:+UseG1GC -Xmx1g' }); // not changed in place
  });

  it('takes EMULATOR_JAVA_OPTIONS instead, and an empty one leaves the JVM its defaults', () => {
    expect(emulatorEnv({ EMULATOR_JAVA_OPTIONS: '-Xmx512m' }).JAVA_TOOL_OPTIONS).toBe('-Xmx512m');
    expect(emulatorEnv({ EMULATOR_JAVA_OPTIONS: '' })).toEqual({ EMULATOR_JAVA_OPTIONS: '' });
    expect(emulatorEnv({ EMULATOR_JAVA_OPTIONS: ' ', JAVA_TOOL_OPTIONS: '-Xmx1g' }).JAVA_TOOL_OPTIONS).toBe(
      '-Xmx1g',
    );
  });

  it("runs both of this test run's emulators without the C2 compiler or G1's threads", () => {
    const hosts = [process.env.PUBSUB_EMULATOR_HOST, process.env.FIRESTORE_EMULATOR_HOST];
    const ports = hosts.map((h) => Number(String(h).split(':').pop()));
    const javas = emulatorProcesses(ports).filter((p) => /^\S*java\s/.test(p.args));
    expect(javas).toHaveLength(2);
    for (const { pid } of javas) {
      // A JVM names its threads: "C1 CompilerThre", "C2 CompilerThre", "G1 Conc#0", "GC Thread#0"...
      const threads = readdirSync(`/proc/${pid}/task`).map((t) =>
        readFileSync(`/proc/${pid}/task/${t}/comm`, 'utf8').trim(),
      );
      expect(threads).toContain('C1 CompilerThre');
      expect(threads.filter((t) => /^C2 |^G1 /.test(t))).toEqual([]);
    }
  });
});

describe('stopping the emulators', () => {
  it('keeps the process alive until their group is gone, so the script goes on after stop()', async () => {
    // Before: the wait was an unref'd timer, Node exited with code 0 in the middle of stop() and a benchmark's
    // figures, printed after it, were lost in about one run in four.
    const out = await new Promise<string>((resolve, reject) =>
      execFile(
        process.execPath,
        ['-r', 'tsx/cjs', join(SUPPORT, 'stop-then-print.ts')],
        { timeout: 20_000 },
        (err, stdout) => (err ? reject(err) : resolve(stdout)),
      ),
    );
    expect(out).toBe('after stop, exit code 0\n');
  });
});

describe('emulators die with the process that started them', () => {
  const leftovers: number[] = [];

  afterAll(() => {
    // Only if a test failed: end the emulator processes this file started, by pid.
    for (const pid of leftovers) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  });

  async function expectRunning(s: Started): Promise<void> {
    for (const h of s.hosts) expect([h, await answers(h)]).toEqual([h, true]);
    const procs = emulatorProcesses(s.ports);
    leftovers.push(...procs.map((p) => p.pid));
    // Both emulators' Java processes are running for those ports.
    for (const port of s.ports) {
      expect(procs.some((p) => p.args.includes('java') && p.args.includes(String(port)))).toBe(true);
    }
  }

  async function expectGone(s: Started): Promise<void> {
    const remaining = await waitFor(
      async () => {
        const procs = emulatorProcesses(s.ports);
        return procs.length === 0 ? procs : undefined;
      },
      30_000,
      `emulator processes for ports ${s.ports.join(', ')} to exit`,
    ).catch(() => emulatorProcesses(s.ports));
    expect(remaining.map((p) => `${p.pid} ${p.args}`)).toEqual([]);
    for (const h of s.hosts) expect([h, await answers(h)]).toEqual([h, false]);
  }

  it('leaves no Java or gcloud process behind when the Node parent is killed with SIGKILL', async () => {
    const s = await startInChild();
    await expectRunning(s);
    const exited = new Promise((resolve) => s.child.once('exit', resolve));
    s.child.kill('SIGKILL');
    await exited;
    await expectGone(s);
  }, 150_000);

  it('leaves no Java or gcloud process behind after a normal stop()', async () => {
    const s = await startInChild();
    await expectRunning(s);
    s.child.stdin.write('stop\n');
    const next = await s.lines.next();
    expect(next.value).toBe('stopped');
    await expectGone(s);
  }, 150_000);
});

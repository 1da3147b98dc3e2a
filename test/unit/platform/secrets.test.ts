/** LocalSecretStore: development secrets from a map, FUSION_SECRET_<NAME> or a git-ignored JSON file. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalSecretStore } from '../../../shared/adapters/local/local-secret-store';

const ROOT = join(__dirname, '..', '..', '..');

describe('LocalSecretStore', () => {
  let dir: string;
  let noFile: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'secrets-'));
    noFile = join(dir, 'absent.json');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('serves secrets from an explicit map', async () => {
    const store = new LocalSecretStore({ SENDGRID_API_KEY: 'SG.local-test-key' }, {}, noFile);
    expect(await store.get('SENDGRID_API_KEY')).toBe('SG.local-test-key');
  });

  it('serves FUSION_SECRET_<NAME> from the environment', async () => {
    const env = { FUSION_SECRET_CHAINLINK_RPC_URL: 'http://127.0.0.1:8545/' };
    const store = new LocalSecretStore({}, env, noFile);
    expect(await store.get('CHAINLINK_RPC_URL')).toBe('http://127.0.0.1:8545/');
  });

  it('serves the git-ignored file, with the explicit map taking precedence over it and over the environment', async () => {
    const file = join(dir, '.secrets.local.json');
    writeFileSync(
      file,
      JSON.stringify({ PERSONA_WEBHOOK_SECRET: 'wbhsec_from_file', TWILIO_AUTH_TOKEN: 'file' }),
    );
    const store = new LocalSecretStore(
      { TWILIO_AUTH_TOKEN: 'map' },
      { FUSION_SECRET_TWILIO_AUTH_TOKEN: 'env' },
      file,
    );
    expect(await store.get('PERSONA_WEBHOOK_SECRET')).toBe('wbhsec_from_file');
    expect(await store.get('TWILIO_AUTH_TOKEN')).toBe('map');
    expect(readFileSync(join(ROOT, '.gitignore'), 'utf8').split('\n')).toContain('.secrets.local.json');
  });

  it('names the variable to set when a secret is missing, and never echoes another secret', async () => {
    const store = new LocalSecretStore(
      { SENDGRID_API_KEY: 'SG.do-not-echo-me' },
      { FUSION_SECRET_TWILIO_AUTH_TOKEN: 'twilio-do-not-echo' },
      noFile,
    );
    const err = (await store.get('PYTH_HERMES_API_KEY').catch((e: unknown) => e)) as Error;
    expect(err).toBeInstanceOf(Error);
    expect(err.message).toContain('FUSION_SECRET_PYTH_HERMES_API_KEY');
    expect(err.message).not.toContain('do-not-echo');
    expect(err.message).not.toContain('SENDGRID');
    expect(err.message).not.toContain('TWILIO');
  });

  it('refuses to run with NODE_ENV=production', () => {
    expect(() => new LocalSecretStore({}, { NODE_ENV: 'production' }, noFile)).toThrow(
      'LocalSecretStore is for local development only and refuses to run with NODE_ENV=production',
    );
  });
});

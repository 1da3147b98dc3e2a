import { existsSync, readFileSync } from 'node:fs';
import type { SecretStore } from '../../ports/secret-store';
import { refuseInProduction } from '../../platform/production-guard';

/**
 * Development secrets: an explicit map, else FUSION_SECRET_<NAME> environment variables, else a git-ignored
 * JSON file (.secrets.local.json). Refuses to run in production.
 */
export class LocalSecretStore implements SecretStore {
  private readonly values: Record<string, string>;

  constructor(
    values: Record<string, string> = {},
    private readonly env: NodeJS.ProcessEnv = process.env,
    file = '.secrets.local.json',
  ) {
    refuseInProduction('LocalSecretStore', env);
    const fromFile = existsSync(file)
      ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>)
      : {};
    this.values = { ...fromFile, ...values };
  }

  async get(name: string): Promise<string> {
    const v = this.values[name] ?? this.env[`FUSION_SECRET_${name}`];
    if (v === undefined)
      throw new Error(`secret ${name} is not set (FUSION_SECRET_${name} or .secrets.local.json)`);
    return v;
  }
}

/** Secrets by name (Secret Manager in production). Values are never logged. */
export interface SecretStore {
  get(name: string): Promise<string>;
}

/** Development-only adapters call this so they can never serve production by accident. */
export function refuseInProduction(what: string, env: NodeJS.ProcessEnv = process.env): void {
  if (env.NODE_ENV === 'production') {
    throw new Error(`${what} is for local development only and refuses to run with NODE_ENV=production`);
  }
}

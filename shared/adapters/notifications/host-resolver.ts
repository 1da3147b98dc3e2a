/** Host name → addresses, injectable so tests decide what a name resolves to (rebinding included). */
import { lookup } from 'node:dns/promises';

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

export interface HostResolver {
  /** Every address the name resolves to now; rejects (ENOTFOUND, EAI_AGAIN) when there is none. */
  resolve(hostname: string): Promise<ResolvedAddress[]>;
}

/** The system resolver (getaddrinfo), every address in the order it returns them. */
export const systemResolver: HostResolver = {
  resolve: async (hostname) =>
    (await lookup(hostname, { all: true, verbatim: true })).map((a) => ({
      address: a.address,
      family: a.family === 6 ? 6 : 4,
    })),
};

/** Who is calling a private HTTP function: the identity a verified token names. */
export interface Principal {
  /** The verified identity (an e-mail address for Google accounts and service accounts). */
  id: string;
}

export interface TokenVerifier {
  /** The caller, or undefined when the credentials are missing or invalid. */
  verify(authorization: string | undefined): Promise<Principal | undefined>;
}

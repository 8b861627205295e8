/**
 * The server side of one SASL mechanism exchange (Java's `SaslServer`): `evaluate(token)` gets each
 * client token and returns the server token; `complete` once authenticated, then
 * `authorizationId` is the authenticated user name.
 */

/**
 * Authentication failed: the message goes to the client in SaslAuthenticate.errorMessage (Kafka's
 * `SaslAuthenticationException`); it never contains a password or key.
 */
export class SaslAuthenticationFailure extends Error {
  override name = 'SaslAuthenticationFailure'
}

export interface SaslMechanismServer {
  readonly mechanism: string
  /** @throws SaslAuthenticationFailure */
  evaluate(token: Buffer): Promise<Buffer>
  readonly complete: boolean
  /** The authenticated user (valid once `complete`). */
  readonly authorizationId: string
}

/** Kafka's message for failed credentials outside a mechanism's own wording (SaslServerAuthenticator). */
export function invalidCredentials(mechanism: string): SaslAuthenticationFailure {
  return new SaslAuthenticationFailure(`Authentication failed during authentication due to invalid credentials with SASL mechanism ${mechanism}`)
}

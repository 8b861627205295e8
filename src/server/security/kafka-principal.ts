/**
 * The authenticated identity of a connection, as Kafka's `KafkaPrincipal` (`<type>:<name>`, e.g.
 * `User:alice`). PLAINTEXT connections are `User:ANONYMOUS`; SASL sets the authorization id, SSL the
 * mapped certificate name (`ssl.principal.mapping.rules`). The authorizer matches ACL principals
 * against `${principalType}:${name}`.
 */
export interface KafkaPrincipal {
  /** `User` for every principal kts creates (Kafka's `KafkaPrincipal.USER_TYPE`). */
  readonly principalType: string
  readonly name: string
}

/** `User:ANONYMOUS`: the principal of an unauthenticated (PLAINTEXT) connection. */
export const ANONYMOUS: KafkaPrincipal = Object.freeze({principalType: 'User', name: 'ANONYMOUS'})

/** `User:<name>`. */
export function userPrincipal(name: string): KafkaPrincipal {
  return {principalType: 'User', name}
}

/** `<type>:<name>`, as Kafka's `KafkaPrincipal.toString()`. */
export function principalToString(p: KafkaPrincipal): string {
  return `${p.principalType}:${p.name}`
}

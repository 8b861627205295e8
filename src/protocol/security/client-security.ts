/**
 * How a client connection secures itself, from Kafka's client properties (`security.protocol`,
 * `sasl.mechanism`, `sasl.jaas.config`, `ssl.*`): the tools' `--command-config` files and the
 * broker's own inter-node clients (inter-broker and controller listeners) build the same shape.
 *
 * Errors: `ClientSecurityError`, one line without secrets.
 */
import type tls from 'node:tls'
import {clientCredentials, JaasConfigError} from './jaas-config.js'
import {clientTlsOptions, TlsConfigError, type PropertyLookup} from './tls-config.js'

export type SecurityProtocol = 'PLAINTEXT' | 'SSL' | 'SASL_PLAINTEXT' | 'SASL_SSL'
export const SECURITY_PROTOCOLS: readonly SecurityProtocol[] = ['PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL']
/** SASL mechanisms kts implements, client and server side. */
export const SUPPORTED_SASL_MECHANISMS = ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'] as const

/** SASL client login (from `sasl.jaas.config`). */
export interface SaslClientConfig {
  mechanism: 'PLAIN' | 'SCRAM-SHA-256' | 'SCRAM-SHA-512'
  username: string
  password: string
}

/** Security of one client connection. */
export interface ClientSecurity {
  protocol: SecurityProtocol
  /** Set for SSL / SASL_SSL. */
  tls?: tls.ConnectionOptions
  /** Set for SASL_PLAINTEXT / SASL_SSL. */
  sasl?: SaslClientConfig
}

export class ClientSecurityError extends Error {
  override name = 'ClientSecurityError'
}

/** PLAINTEXT: nothing to do. */
export const PLAINTEXT_SECURITY: ClientSecurity = Object.freeze({protocol: 'PLAINTEXT'})

/** Parses `security.protocol` (case-insensitive, default PLAINTEXT). @throws ClientSecurityError */
export function securityProtocolOf(raw: string | undefined): SecurityProtocol {
  const p = (raw ?? 'PLAINTEXT').trim().toUpperCase()
  if (!(SECURITY_PROTOCOLS as readonly string[]).includes(p)) {
    throw new ClientSecurityError(`Invalid value ${raw} for configuration security.protocol: String must be one of: ${SECURITY_PROTOCOLS.join(', ')}`)
  }
  return p as SecurityProtocol
}

/**
 * Builds a client's security from properties looked up by `get` (client property names).
 * `sasl.mechanism` defaults to GSSAPI as in Kafka, which kts refuses.
 * @throws ClientSecurityError for an unknown protocol or mechanism, a malformed `sasl.jaas.config`, bad TLS files
 */
export function clientSecurityFrom(get: PropertyLookup, protocolOverride?: SecurityProtocol, mechanismOverride?: string): ClientSecurity {
  const protocol = protocolOverride ?? securityProtocolOf(get('security.protocol'))
  const out: ClientSecurity = {protocol}
  try {
    if (protocol === 'SSL' || protocol === 'SASL_SSL') out.tls = clientTlsOptions(get)
    if (protocol === 'SASL_PLAINTEXT' || protocol === 'SASL_SSL') {
      const mechanism = (mechanismOverride ?? get('sasl.mechanism') ?? 'GSSAPI').trim().toUpperCase()
      if (!(SUPPORTED_SASL_MECHANISMS as readonly string[]).includes(mechanism)) {
        throw new ClientSecurityError(`SASL mechanism ${mechanism} is not supported by kts (supported: ${SUPPORTED_SASL_MECHANISMS.join(', ')})`)
      }
      const jaas = get('sasl.jaas.config')
      if (jaas === undefined || jaas.trim() === '') {
        throw new ClientSecurityError(`Could not find a 'KafkaClient' entry in the JAAS configuration: set sasl.jaas.config for SASL mechanism ${mechanism}`)
      }
      out.sasl = {mechanism: mechanism as SaslClientConfig['mechanism'], ...clientCredentials(jaas)}
    }
  } catch (err) {
    if (err instanceof JaasConfigError || err instanceof TlsConfigError) throw new ClientSecurityError(err.message, {cause: err})
    throw err
  }
  return out
}

/** `clientSecurityFrom` over a plain properties object (the tools' `--command-config`). */
export function clientSecurityFromProperties(props: Readonly<Record<string, string>>): ClientSecurity {
  return clientSecurityFrom((k) => props[k])
}

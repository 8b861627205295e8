/**
 * The security of each listener, from server.properties as Kafka reads it: the protocol from
 * `listener.security.protocol.map`, and every `ssl.*` / `sasl.*` / `connections.max.reauth.ms` key
 * looked up first as `listener.name.<listener lower-case>.<key>`, then `<key>` (Kafka's
 * `ListenerName.configPrefix()`); a listener's SASL JAAS config is
 * `listener.name.<l>.<mechanism lower-case>.sasl.jaas.config`, else `listener.name.<l>.sasl.jaas.config`,
 * else `sasl.jaas.config`.
 *
 * Server side (`listenerSecurity`): TLS options for node:tls (with `ssl.client.auth`), principal
 * mapping rules, the enabled SASL mechanisms and the PLAIN users (`user_<name>="<password>"`).
 * Client side (`interNodeClientSecurity`): how this node connects to another node's listener
 * (inter-broker or controller) — the listener's TLS settings and the username/password of its
 * JAAS config for `sasl.mechanism.inter.broker.protocol` / `sasl.mechanism.controller.protocol`.
 *
 * Everything a node cannot honour is a ConfigError at start-up (GSSAPI, OAUTHBEARER, no JAAS for
 * PLAIN, JKS stores): a node never runs open while its operator believes it is secured.
 */
import type tls from 'node:tls'
import {ConfigError} from '../config/config-def.js'
import type {ServerConfig} from '../config/server-config.js'
import {clientSecurityFrom, ClientSecurityError, type ClientSecurity, type SecurityProtocol} from '../../protocol/security/client-security.js'
import {JaasConfigError, parseJaasConfig} from '../../protocol/security/jaas-config.js'
import {tlsOptions, TlsConfigError, type PropertyLookup} from '../../protocol/security/tls-config.js'
import {PrincipalMappingError, PrincipalMappingRules} from './principal-mapping-rules.js'

/** Server mechanisms kts implements. */
export const SERVER_SASL_MECHANISMS = ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512']

/** SASL settings of one listener. */
export interface SaslListenerConfig {
  /** `sasl.enabled.mechanisms` of the listener, in configured order. */
  enabledMechanisms: string[]
  /** PLAIN users (`user_<name>` options) or null when PLAIN is not enabled. Passwords: never log. */
  plainUsers: ReadonlyMap<string, string> | null
  /** `connections.max.reauth.ms` (0 = sessions never expire). */
  maxReauthMs: number
  /** `connection.failed.authentication.delay.ms`: delay before closing a failed connection. */
  failedAuthenticationDelayMs: number
}

/** Security of one listener. */
export interface ListenerSecurity {
  listenerName: string
  protocol: SecurityProtocol
  /** node:tls server options (SSL, SASL_SSL). */
  tls?: tls.TlsOptions
  /** Maps a client certificate's DN to a principal name (SSL). */
  principalMappingRules: PrincipalMappingRules
  /** Set for SASL_PLAINTEXT / SASL_SSL. */
  sasl?: SaslListenerConfig
}

/** Property lookup for `listenerName`: `listener.name.<l>.<key>` beats `<key>`. */
export function listenerConfigLookup(config: ServerConfig, listenerName: string): PropertyLookup {
  const prefix = `listener.name.${listenerName.toLowerCase()}.`
  return (key) => config.originals[prefix + key] ?? config.originals[key]
}

/** The JAAS config text for `mechanism` on `listenerName`, or undefined. */
export function jaasConfigText(config: ServerConfig, listenerName: string, mechanism: string): string | undefined {
  const prefix = `listener.name.${listenerName.toLowerCase()}.`
  return config.originals[`${prefix}${mechanism.toLowerCase()}.sasl.jaas.config`] ?? config.originals[`${prefix}sasl.jaas.config`] ?? config.originals['sasl.jaas.config']
}

function asConfigError(key: string, err: unknown): never {
  if (err instanceof TlsConfigError || err instanceof JaasConfigError || err instanceof PrincipalMappingError || err instanceof ClientSecurityError) {
    throw new ConfigError(`Invalid security configuration of ${key}: ${err.message}`)
  }
  throw err
}

function list(v: string | undefined, fallback: string[]): string[] {
  if (v === undefined) return fallback
  return v.split(',').map((s) => s.trim()).filter((s) => s)
}

/**
 * Builds the security of listener `listenerName` (protocol `protocol`).
 * @throws ConfigError one line naming the listener and the problem (never a password)
 */
export function listenerSecurity(config: ServerConfig, listenerName: string, protocol: string): ListenerSecurity {
  const get = listenerConfigLookup(config, listenerName)
  const out: ListenerSecurity = {
    listenerName,
    protocol: protocol as SecurityProtocol,
    principalMappingRules: PrincipalMappingRules.parse(undefined),
  }
  try {
    out.principalMappingRules = PrincipalMappingRules.parse(get('ssl.principal.mapping.rules'))
  } catch (err) {
    asConfigError(`listener ${listenerName}`, err)
  }
  if (protocol === 'SSL' || protocol === 'SASL_SSL') {
    let opts: tls.SecureContextOptions
    try {
      opts = tlsOptions(get)
    } catch (err) {
      asConfigError(`listener ${listenerName}`, err)
    }
    if (opts.pfx === undefined && opts.key === undefined) {
      throw new ConfigError(`Invalid security configuration of listener ${listenerName}: an ${protocol} listener needs a keystore (ssl.keystore.location, or ssl.keystore.certificate.chain and ssl.keystore.key)`)
    }
    const clientAuth = (get('ssl.client.auth') ?? 'none').trim().toLowerCase()
    if (!['none', 'requested', 'required'].includes(clientAuth)) {
      throw new ConfigError(`Invalid value ${clientAuth} for configuration ssl.client.auth: String must be one of: required, requested, none`)
    }
    // requestCert without rejectUnauthorized lets the handshake finish; the socket server then
    // refuses unauthorized certificates itself (requested: only a certificate that does not verify).
    out.tls = {...opts, requestCert: clientAuth !== 'none', rejectUnauthorized: clientAuth === 'required'}
  }
  if (protocol === 'SASL_PLAINTEXT' || protocol === 'SASL_SSL') {
    const enabled = list(get('sasl.enabled.mechanisms'), ['GSSAPI']).map((m) => m.toUpperCase())
    const unsupported = enabled.filter((m) => !SERVER_SASL_MECHANISMS.includes(m))
    if (unsupported.length > 0) {
      throw new ConfigError(`Unsupported configuration sasl.enabled.mechanisms of listener ${listenerName}: ${unsupported.join(', ')} ${unsupported.length > 1 ? 'are' : 'is'} not supported by kts (PLAIN, SCRAM-SHA-256 and SCRAM-SHA-512 are); set sasl.enabled.mechanisms or listener.name.${listenerName.toLowerCase()}.sasl.enabled.mechanisms`)
    }
    if (enabled.length === 0) throw new ConfigError(`No SASL mechanisms are enabled on listener ${listenerName}`)
    let plainUsers: Map<string, string> | null = null
    if (enabled.includes('PLAIN')) {
      const text = jaasConfigText(config, listenerName, 'PLAIN')
      if (text === undefined) {
        throw new ConfigError(`Could not find a 'listener.name.${listenerName.toLowerCase()}.plain.sasl.jaas.config' (or sasl.jaas.config) entry for mechanism PLAIN on listener ${listenerName}`)
      }
      try {
        const [module] = parseJaasConfig(text)
        plainUsers = new Map()
        for (const [k, v] of Object.entries(module.options)) if (k.startsWith('user_')) plainUsers.set(k.slice(5), v)
      } catch (err) {
        asConfigError(`listener ${listenerName}`, err)
      }
    }
    out.sasl = {
      enabledMechanisms: enabled,
      plainUsers,
      maxReauthMs: Number(get('connections.max.reauth.ms') ?? 0),
      failedAuthenticationDelayMs: Number(get('connection.failed.authentication.delay.ms') ?? 100),
    }
    if (!Number.isFinite(out.sasl.maxReauthMs) || out.sasl.maxReauthMs < 0) throw new ConfigError(`Invalid value for configuration connections.max.reauth.ms of listener ${listenerName}`)
  }
  return out
}

/** Security of every listener of `config` by name. @throws ConfigError */
export function allListenerSecurity(config: ServerConfig): Map<string, ListenerSecurity> {
  const out = new Map<string, ListenerSecurity>()
  for (const l of config.listeners) out.set(l.name, listenerSecurity(config, l.name, config.listenerSecurityProtocolMap[l.name] ?? l.securityProtocol))
  return out
}

/**
 * How this node connects to listener `listenerName` of another node (inter-broker replication,
 * brokers to controllers, Raft between controllers), with SASL `mechanism` for SASL listeners.
 * @throws ConfigError
 */
export function interNodeClientSecurity(config: ServerConfig, listenerName: string, mechanism: string): ClientSecurity {
  const protocol = (config.listenerSecurityProtocolMap[listenerName] ?? 'PLAINTEXT') as SecurityProtocol
  if (protocol === 'PLAINTEXT') return {protocol}
  const get = listenerConfigLookup(config, listenerName)
  const m = mechanism.trim().toUpperCase()
  const lookup: PropertyLookup = (key) => (key === 'sasl.jaas.config' ? jaasConfigText(config, listenerName, m) : get(key))
  try {
    return clientSecurityFrom(lookup, protocol, m)
  } catch (err) {
    asConfigError(`the client login to listener ${listenerName} (mechanism ${m})`, err)
  }
}

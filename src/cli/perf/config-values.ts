/**
 * Typed reads of client properties with Kafka's `ConfigDef` validation messages
 * (`Invalid value abc for configuration batch.size: Not a number of type INT`,
 * `... Value must be at least 0`, `... Expected value to be either true or false`).
 */
import {clientSecurity} from '../admin/client-properties.js'
import type {ClientSecurity} from '../../protocol/security/client-security.js'
import {UsageError} from '../errors.js'
import type {ClientProperties} from '../admin/client-properties.js'

const INT_MAX = 2147483647

/** `Invalid value <value> for configuration <key>: <why>`. */
export function invalidConfig(value: string, key: string, why: string): UsageError {
  return new UsageError(`Invalid value ${value} for configuration ${key}: ${why}`)
}

/** An INT or LONG property (`def` when absent), at least `min` when given. */
export function numberConfig(props: ClientProperties, key: string, def: number, type: 'INT' | 'LONG', min?: number): number {
  const raw = props[key]
  if (raw === undefined) return def
  const t = raw.trim()
  const n = Number(t)
  const limit = type === 'INT' ? INT_MAX : Number.MAX_SAFE_INTEGER
  if (!/^[+-]?\d+$/.test(t) || Math.abs(n) > limit) throw invalidConfig(raw, key, `Not a number of type ${type}`)
  if (min !== undefined && n < min) throw invalidConfig(raw, key, `Value must be at least ${min}`)
  return n
}

/** A BOOLEAN property (`true`/`false`, any case). */
export function booleanConfig(props: ClientProperties, key: string, def: boolean): boolean {
  const raw = props[key]
  if (raw === undefined) return def
  const t = raw.trim().toLowerCase()
  if (t === 'true') return true
  if (t === 'false') return false
  throw invalidConfig(raw, key, 'Expected value to be either true or false')
}

/** A STRING property restricted to `allowed` (compared case-insensitively, returned lower-case). */
export function choiceConfig<T extends string>(props: ClientProperties, key: string, def: T, allowed: readonly T[]): T {
  const raw = props[key]
  if (raw === undefined) return def
  const t = raw.trim().toLowerCase() as T
  if (!allowed.includes(t)) throw invalidConfig(raw, key, `String must be one of: ${allowed.join(', ')}`)
  return t
}

/**
 * `bootstrap.servers` as `host:port` entries.
 * @throws UsageError `Missing required configuration "bootstrap.servers" which has no default value.`, `Invalid url in bootstrap.servers: x`.
 */
export function bootstrapServersConfig(props: ClientProperties): string[] {
  const servers = props['bootstrap.servers']
  if (servers === undefined || servers.trim() === '') throw new UsageError('Missing required configuration "bootstrap.servers" which has no default value.')
  const list = servers.split(',').map((s) => s.trim()).filter((s) => s.length > 0)
  for (const s of list) if (!/^.+:\d+$/.test(s)) throw new UsageError(`Invalid url in bootstrap.servers: ${s}`)
  return list
}

/**
 * `security.protocol` with its `sasl.*` / `ssl.*` settings (client-security.ts).
 * @throws UsageError for an unknown protocol; TerseError for unusable SASL/TLS settings.
 */
export function securityConfig(props: ClientProperties): ClientSecurity {
  const raw = props['security.protocol'] ?? 'PLAINTEXT'
  const protocol = raw.trim().toUpperCase()
  if (!['PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL'].includes(protocol)) throw invalidConfig(raw, 'security.protocol', 'String must be one of: PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL')
  return clientSecurity(props)
}

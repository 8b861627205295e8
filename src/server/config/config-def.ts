/**
 * A tiny `ConfigDef` (Kafka's `org.apache.kafka.common.config.ConfigDef`): typed keys with
 * defaults and validators, parsing strings with Kafka's error wording, e.g.
 * `Invalid value abc for configuration num.partitions: Not a number of type INT`.
 */

/** Kafka's config types (ConfigDef.Type). `long` values are JS numbers (exact below 2^53). */
export type ConfigType = 'int' | 'short' | 'long' | 'double' | 'boolean' | 'string' | 'list' | 'password' | 'class'

/** A parsed config value: number for numeric types, boolean, string, string[] for lists, or null (no default). */
export type ConfigValue = number | boolean | string | string[] | null

/** Validator: returns null when valid, else the reason text Kafka prints after the colon. */
export type Validator = (value: ConfigValue) => string | null

export interface ConfigKeyDef {
  name: string
  type: ConfigType
  /** Default as Kafka's ConfigDef declares it (already parsed); null = no default. */
  defaultValue: ConfigValue
  validator?: Validator
}

/** One bad config value or combination; the message is a single line naming the key and value. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'ConfigError'
  }
}

/** Java Integer/Short/Long limits. Long.MAX_VALUE is not exact as a JS number (2^63). */
export const INT_MAX = 2147483647
export const SHORT_MAX = 32767
/** Long.MAX_VALUE as a JS number (2^63, rounded); compare, never print it (use LONG_MAX_STRING). */
export const LONG_MAX = 2 ** 63
/** Long.MAX_VALUE as Kafka prints it (DescribeConfigs, describe output). */
export const LONG_MAX_STRING = '9223372036854775807'

const RANGES: Record<string, [bigint, bigint]> = {
  int: [-(2n ** 31n), 2n ** 31n - 1n],
  short: [-(2n ** 15n), 2n ** 15n - 1n],
  long: [-(2n ** 63n), 2n ** 63n - 1n],
}

/** `Invalid value <v> for configuration <name>: <reason>` (ConfigException's message). */
export function invalidValue(name: string, value: unknown, reason: string): ConfigError {
  const shown = Array.isArray(value) ? value.join(',') : String(value)
  return new ConfigError(`Invalid value ${shown} for configuration ${name}: ${reason}`)
}

/**
 * Parses one raw string as `def.type` (ConfigDef.parseType): trims, checks number syntax and range.
 * @throws ConfigError with Kafka's wording (`Not a number of type INT`, `Expected value to be either true or false`).
 */
export function parseValue(def: ConfigKeyDef, raw: string): ConfigValue {
  const s = raw.trim()
  switch (def.type) {
    case 'int':
    case 'short':
    case 'long': {
      if (!/^[+-]?\d+$/.test(s)) throw invalidValue(def.name, s, `Not a number of type ${def.type.toUpperCase()}`)
      const b = BigInt(s)
      const [min, max] = RANGES[def.type]
      if (b < min || b > max) throw invalidValue(def.name, s, `Not a number of type ${def.type.toUpperCase()}`)
      return Number(b)
    }
    case 'double': {
      const n = Number(s)
      if (s === '' || Number.isNaN(n)) throw invalidValue(def.name, s, 'Not a number of type DOUBLE')
      return n
    }
    case 'boolean': {
      const l = s.toLowerCase()
      if (l === 'true') return true
      if (l === 'false') return false
      throw invalidValue(def.name, s, 'Expected value to be either true or false')
    }
    case 'list':
      return s === '' ? [] : s.split(/\s*,\s*/).filter((x) => x.length > 0)
    default:
      return s
  }
}

/** ConfigDef.Range.atLeast: `Value must be at least <min>`. */
export function atLeast(min: number): Validator {
  return (v) => (typeof v === 'number' && v < min ? `Value must be at least ${min}` : null)
}

/** ConfigDef.Range.between: `Value must be no less than <min>` / `Value must be no more than <max>`. */
export function between(min: number, max: number): Validator {
  return (v) => {
    if (typeof v !== 'number') return null
    if (v < min) return `Value must be no less than ${min}`
    if (v > max) return `Value must be no more than ${max}`
    return null
  }
}

/** ConfigDef.ValidString.in (case-sensitive): `String must be one of: a, b`. */
export function oneOf(...values: string[]): Validator {
  return (v) => (typeof v === 'string' && !values.includes(v) ? `String must be one of: ${values.join(', ')}` : null)
}

/** ConfigDef.CaseInsensitiveValidString.in: `String must be one of (case insensitive): a, b`. */
export function oneOfIgnoreCase(...values: string[]): Validator {
  const lower = values.map((x) => x.toLowerCase())
  return (v) =>
    typeof v === 'string' && !lower.includes(v.toLowerCase()) ? `String must be one of (case insensitive): ${values.join(', ')}` : null
}

/** ConfigDef.ValidList.in: every element one of `values`: `Invalid value x for configuration k: String must be one of: a, b`. */
export function listOf(...values: string[]): Validator {
  return (v) => {
    if (!Array.isArray(v)) return null
    const bad = v.find((x) => !values.includes(x))
    return bad === undefined ? null : `String must be one of: ${values.join(', ')}`
  }
}

/** Parses and validates `raw` (or returns the default when undefined). @throws ConfigError */
export function resolveValue(def: ConfigKeyDef, raw: string | undefined): ConfigValue {
  if (raw === undefined) return def.defaultValue
  const v = parseValue(def, raw)
  const reason = def.validator?.(v)
  if (reason) throw invalidValue(def.name, Array.isArray(v) ? raw.trim() : v, reason)
  return v
}

/**
 * Decoded messages as Kafka's generated JSON converters write them
 * (`<Name>JsonConverter.write(message, version)`, Kafka `JsonConverterGenerator`), and that JSON as
 * Jackson prints it (`JsonNode.toString()`): fields in schema order; fields absent from `version`
 * left out; tagged fields only when they differ from their default; int64 as numbers, float64 as
 * Java's `Double.toString`, `bytes` as base64, `uuid` as Kafka's base64url text, null as `null`.
 * Used by `kts dump-log` (metadata, coordinator and control records).
 */
import {RECORD_JSON_FIELDS} from '../generated/json/record-fields.js'
import type {JsonFieldSpec} from './json-field-spec.js'

/** A float64 value, printed as Java prints a double (`1.0`, `0.5`, `1.0E7`). */
export class JavaDouble {
  constructor(readonly value: number) {}
}

/** A JSON tree as Jackson holds it. */
export type KafkaJson = null | boolean | number | string | JavaDouble | KafkaJson[] | {[key: string]: KafkaJson}

const inRange = (r: readonly [number, number] | undefined, v: number): boolean => r !== undefined && v >= r[0] && v <= r[1]

function isDefault(spec: JsonFieldSpec, value: unknown): boolean {
  if (value === null || value === undefined) return spec.default === null || spec.default === undefined
  if (Array.isArray(value)) return value.length === 0
  if (Buffer.isBuffer(value)) return value.length === 0 && spec.default !== null
  if (typeof value === 'object') return false
  return spec.default !== undefined && value === spec.default
}

function scalarToJson(type: string, value: unknown): KafkaJson {
  if (value === null || value === undefined) return null
  if (type === 'bytes' || type === 'records') return Buffer.isBuffer(value) ? value.toString('base64') : null
  if (type === 'float64') return new JavaDouble(value as number)
  return value as KafkaJson
}

function valueToJson(spec: JsonFieldSpec, value: unknown, version: number): KafkaJson {
  if (value === null || value === undefined) return null
  if (spec.type.startsWith('[]')) {
    const element = spec.type.slice(2)
    return (value as unknown[]).map(e => spec.fields !== undefined ? structToJson(spec.fields, e as Record<string, unknown>, version) : scalarToJson(element, e))
  }
  if (spec.fields !== undefined) return structToJson(spec.fields, value as Record<string, unknown>, version)
  return scalarToJson(spec.type, value)
}

/** A decoded struct → its JSON object in `version`. */
export function structToJson(fields: readonly JsonFieldSpec[], msg: Record<string, unknown>, version: number): {[key: string]: KafkaJson} {
  const out: {[key: string]: KafkaJson} = {}
  for (const f of fields) {
    if (!inRange(f.versions, version)) continue
    const value = msg[f.name]
    if (inRange(f.tagged, version) && isDefault(f, value)) continue
    out[f.name] = valueToJson(f, value, version)
  }
  return out
}

/**
 * A decoded record of schema `schemaName` (e.g. `TopicRecord`, `OffsetCommitValue`,
 * `SnapshotHeaderRecord`) → its JSON object in `version`.
 * @throws Error for a schema that has no field descriptors
 */
export function messageToJson(schemaName: string, msg: object, version: number): {[key: string]: KafkaJson} {
  const fields = RECORD_JSON_FIELDS.get(schemaName)
  if (fields === undefined) throw new Error(`No JSON converter for ${schemaName}`)
  return structToJson(fields, msg as Record<string, unknown>, version)
}

/** Java's `Double.toString(d)`. */
export function javaDoubleString(d: number): string {
  if (Number.isNaN(d)) return 'NaN'
  if (!Number.isFinite(d)) return d > 0 ? 'Infinity' : '-Infinity'
  if (d === 0) return Object.is(d, -0) ? '-0.0' : '0.0'
  const abs = Math.abs(d)
  if (abs >= 1e-3 && abs < 1e7) {
    const s = String(d)
    return s.includes('.') ? s : `${s}.0`
  }
  const [mantissa, exp] = d.toExponential().split('e')
  return `${mantissa.includes('.') ? mantissa : mantissa + '.0'}E${Number(exp)}`
}

function quote(s: string): string {
  return JSON.stringify(s).replace(/\\u00([0-9a-f]{2})/g, (_m, hex: string) => `\\u00${hex.toUpperCase()}`)
}

/** Jackson's compact `toString()` of a JSON tree. */
export function kafkaJsonString(v: KafkaJson): string {
  if (v === null) return 'null'
  if (v instanceof JavaDouble) return javaDoubleString(v.value)
  if (typeof v === 'string') return quote(v)
  if (typeof v === 'number' || typeof v === 'boolean') return String(v)
  if (Array.isArray(v)) return `[${v.map(kafkaJsonString).join(',')}]`
  return `{${Object.entries(v).map(([k, x]) => `${quote(k)}:${kafkaJsonString(x)}`).join(',')}}`
}

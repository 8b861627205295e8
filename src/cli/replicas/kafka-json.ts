/**
 * Reading the tools' JSON files the way Kafka's `org.apache.kafka.server.util.json` classes do
 * (`JsonValue.asJsonObject`, `JsonObject.apply`, `DecodeJson.DecodeInteger`, ...), with their
 * messages: `No such field exists: \`topic\``, ``Expected `int` value, received "1"``,
 * `Expected JSON array, received {...}`. Values print as Jackson prints a `JsonNode` (compact JSON).
 */

/** Jackson's `JsonMappingException` (its message is what Kafka's tools print). */
export class JsonMappingError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'JsonMappingError'
  }

  /** Java's `toString()`: the class name, then the message. */
  get javaText(): string {
    return `com.fasterxml.jackson.databind.JsonMappingException: ${this.message}`
  }
}

/** A parsed JSON value. */
export type Json = null | boolean | number | string | Json[] | {[key: string]: Json}

/** `JSON.parse`, or null for text that is not JSON (Kafka `Json.parseFull` → empty). */
export function parseJson(text: string): Json | undefined {
  try {
    return JSON.parse(text) as Json
  } catch {
    return undefined
  }
}

function shown(v: Json): string {
  return JSON.stringify(v)
}

/** @throws JsonMappingError `Expected JSON object, received ...` */
export function asObject(v: Json): {[key: string]: Json} {
  if (v !== null && typeof v === 'object' && !Array.isArray(v)) return v
  throw new JsonMappingError(`Expected JSON object, received ${shown(v)}`)
}

/** @throws JsonMappingError `Expected JSON array, received ...` */
export function asArray(v: Json): Json[] {
  if (Array.isArray(v)) return v
  throw new JsonMappingError(`Expected JSON array, received ${shown(v)}`)
}

/** A required field (Kafka `JsonObject.apply`). @throws JsonMappingError ``No such field exists: `name` `` */
export function field(o: {[key: string]: Json}, name: string): Json {
  if (!Object.prototype.hasOwnProperty.call(o, name)) throw new JsonMappingError(`No such field exists: \`${name}\``)
  return o[name]
}

/** @throws JsonMappingError ``Expected `Integer` value, received ...`` */
export function asInt(v: Json): number {
  if (typeof v === 'number' && Number.isInteger(v) && v >= -2147483648 && v <= 2147483647) return v
  throw new JsonMappingError(`Expected \`Integer\` value, received ${shown(v)}`)
}

/** @throws JsonMappingError ``Expected `String` value, received ...`` */
export function asString(v: Json): string {
  if (typeof v === 'string') return v
  throw new JsonMappingError(`Expected \`String\` value, received ${shown(v)}`)
}

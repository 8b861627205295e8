/**
 * The shape of a schema field as `src/protocol/generated/json/record-fields.ts` describes it, for
 * writing a decoded message as Kafka's generated `<Name>JsonConverter.write(message, version)` does
 * (`message-json.ts`). Version ranges are inclusive `[lo, hi]`; an open range ends at 32767.
 */
export interface JsonFieldSpec {
  /** camelCase field name (the JSON key and the decoded object's property). */
  name: string
  /** Schema type: `int32`, `string`, `bytes`, `uuid`, `[]int32`, `[]SomeStruct`, `SomeStruct`, ... */
  type: string
  versions: readonly [number, number]
  /** Versions in which the field is a tagged field (written only when not its default). */
  tagged?: readonly [number, number]
  nullable?: readonly [number, number]
  /** The schema default when it is a scalar (tagged fields equal to it are left out). */
  default?: string | number | boolean | null
  /** Fields of a struct (or of the elements of a struct array). */
  fields?: readonly JsonFieldSpec[]
}

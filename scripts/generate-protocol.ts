/**
 * Protocol code generator: reads Apache Kafka's JSON message schemas (JSON with `//` comments,
 * parsed with json5) and writes straight-line TypeScript codecs to `src/protocol/generated/`
 * (layout and API in docs/CONTRACTS.md "Generated codecs"; encoding rules in
 * `../shared/kafka-protocol/README.md`, following Kafka's `MessageDataGenerator`).
 *
 * Usage: `npm run generate` (schemas from `$KAFKA_PROTOCOL_DIR` or `../shared/kafka-protocol`
 * relative to the repo root). Output is deterministic: same schemas, same bytes.
 */
import {existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {dirname, join, resolve} from 'node:path'
import {fileURLToPath, pathToFileURL} from 'node:url'
import JSON5 from 'json5'

// ---------------------------------------------------------------------------------------------
// Schema model

export interface FieldSchema {
  name: string
  type: string
  versions?: string
  nullableVersions?: string
  taggedVersions?: string
  tag?: number | string
  default?: string | number | boolean | null
  ignorable?: boolean
  flexibleVersions?: string
  about?: string
  fields?: FieldSchema[]
  mapKey?: boolean
  entityType?: string
}

export interface StructSchema {
  name: string
  versions?: string
  fields: FieldSchema[]
}

export interface MessageSchema {
  apiKey?: number
  type: string
  name: string
  validVersions: string
  flexibleVersions: string
  fields: FieldSchema[]
  commonStructs?: StructSchema[]
  listeners?: string[]
  latestVersionUnstable?: boolean
  deprecatedVersions?: string
}

/** Inclusive version range; `hi` is Infinity for open ranges; empty when lo > hi. */
export interface VersionRange {
  lo: number
  hi: number
}

export const EMPTY_RANGE: VersionRange = {lo: 1, hi: 0}

/**
 * Parses a Kafka version spec: `"N"`, `"N-M"`, `"N+"` or `"none"` (Kafka's `Versions.parse`).
 * Throws on anything else.
 */
export function parseVersions(spec: string | undefined, fallback?: VersionRange): VersionRange {
  if (spec === undefined) {
    if (fallback) return fallback
    throw new Error('missing version spec')
  }
  const s = spec.trim()
  if (s === 'none') return EMPTY_RANGE
  let m = /^(\d+)\+$/.exec(s)
  if (m) return {lo: Number(m[1]), hi: Infinity}
  m = /^(\d+)-(\d+)$/.exec(s)
  if (m) {
    const lo = Number(m[1])
    const hi = Number(m[2])
    if (lo > hi) throw new Error(`invalid version range '${spec}'`)
    return {lo, hi}
  }
  m = /^(\d+)$/.exec(s)
  if (m) return {lo: Number(m[1]), hi: Number(m[1])}
  throw new Error(`invalid version spec '${spec}'`)
}

export function isEmpty(r: VersionRange): boolean {
  return r.lo > r.hi
}

export function intersect(a: VersionRange, b: VersionRange): VersionRange {
  const lo = Math.max(a.lo, b.lo)
  const hi = Math.min(a.hi, b.hi)
  return lo > hi ? EMPTY_RANGE : {lo, hi}
}

export function contains(r: VersionRange, v: number): boolean {
  return v >= r.lo && v <= r.hi
}

/** A JS condition on `version` that is true exactly for versions in `r`, given `version` is in `ctx`. */
export function versionCondition(r: VersionRange, ctx: VersionRange): string {
  const i = intersect(r, ctx)
  if (isEmpty(i)) return 'false'
  const needLo = i.lo > ctx.lo
  const needHi = i.hi < ctx.hi
  if (needLo && needHi && i.lo === i.hi) return `version === ${i.lo}`
  const parts: string[] = []
  if (needLo) parts.push(`version >= ${i.lo}`)
  if (needHi) parts.push(`version <= ${i.hi}`)
  return parts.length === 0 ? 'true' : parts.join(' && ')
}

/** `ThrottleTimeMs` -> `throttleTimeMs` (Kafka's field names, first letter lower-cased). */
export function camelCase(name: string): string {
  return name.charAt(0).toLowerCase() + name.slice(1)
}

/** `OffsetForLeaderEpoch` -> `offset-for-leader-epoch`, `KRaftVersionRecord` -> `kraft-version-record`. */
export function kebabCase(name: string): string {
  return name
    .replace(/KRaft/g, 'Kraft')
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .replace(/([A-Z])([A-Z][a-z])/g, '$1-$2')
    .toLowerCase()
}

export function loadSchema(file: string): MessageSchema {
  const schema = JSON5.parse(readFileSync(file, 'utf8')) as MessageSchema
  SCHEMA_OVERLAYS[schema.name]?.(schema)
  return schema
}

/**
 * Wire changes newer than the vendored schemas (Kafka trunk of October 2024) that kts implements,
 * described here rather than copied: each entry edits one parsed schema.
 */
const SCHEMA_OVERLAYS: Record<string, (s: MessageSchema) => void> = {
  // KIP-996 (Kafka 4.0): Vote v2 adds PreVote (bool, last field of each partition); the response is unchanged.
  VoteRequest: (s) => {
    s.validVersions = '0-2'
    const partitions = s.fields.find((f) => f.name === 'Topics')?.fields?.find((f) => f.name === 'Partitions')
    if (!partitions?.fields) throw new Error('VoteRequest overlay: Topics.Partitions not found')
    partitions.fields.push({name: 'PreVote', type: 'bool', versions: '2+', about: 'Whether the request is a PreVote request (not persisted) or not (KIP-996).'})
  },
  VoteResponse: (s) => { s.validVersions = '0-2' },
}

const PRIMITIVES = new Set(['bool', 'int8', 'int16', 'uint16', 'int32', 'uint32', 'int64', 'float64', 'string', 'bytes', 'uuid', 'records'])
const NUMERIC = new Set(['int8', 'int16', 'uint16', 'int32', 'uint32', 'int64', 'float64'])
const ZERO_UUID = 'AAAAAAAAAAAAAAAAAAAAAA'

export function isPrimitive(t: string): boolean {
  return PRIMITIVES.has(t)
}

export function isArrayType(t: string): boolean {
  return t.startsWith('[]')
}

export function elementType(t: string): string {
  return t.slice(2)
}

/** Field resolved against its message: ranges computed once. */
export interface ResolvedField {
  schema: FieldSchema
  name: string
  type: string
  versions: VersionRange
  /** Versions where the field is written in the fixed (untagged) part. */
  regular: VersionRange
  tagged: VersionRange
  tag: number
  nullable: VersionRange
  /** Flexible versions for this field's own encoding (field override or the message's). */
  flexible: VersionRange
}

export function resolveField(f: FieldSchema, messageFlexible: VersionRange): ResolvedField {
  const tagged = parseVersions(f.taggedVersions, EMPTY_RANGE)
  const versions = parseVersions(f.versions ?? f.taggedVersions)
  const regular = isEmpty(tagged) ? versions : intersect(versions, {lo: versions.lo, hi: tagged.lo - 1})
  const nullable = parseVersions(f.nullableVersions, EMPTY_RANGE)
  const flexible = f.flexibleVersions !== undefined ? parseVersions(f.flexibleVersions) : messageFlexible
  const tag = f.tag === undefined ? -1 : Number(f.tag)
  return {schema: f, name: camelCase(f.name), type: f.type, versions, regular, tagged, tag, nullable, flexible}
}

/** The parsed default as a JS value (numbers, booleans, strings, null; arrays/structs/bytes as markers). */
export function defaultValue(f: FieldSchema): unknown {
  const d = f.default
  const t = f.type
  if (d === null || d === 'null') {
    if (d === 'null' && t === 'string' && f.nullableVersions === undefined) return 'null'
    return null
  }
  if (isArrayType(t)) return []
  if (t === 'bool') return d === undefined ? false : d === true || d === 'true'
  if (NUMERIC.has(t)) {
    if (d === undefined || d === '') return 0
    if (typeof d === 'number') return d
    const s = String(d).trim()
    if (/^-?0x/i.test(s)) {
      const neg = s.startsWith('-')
      const n = Number(BigInt(neg ? s.slice(1) : s))
      return neg ? -n : n
    }
    return Number(s)
  }
  if (t === 'string') return d === undefined ? '' : String(d)
  if (t === 'uuid') return d === undefined ? ZERO_UUID : String(d)
  if (t === 'bytes') return Buffer.alloc(0)
  if (t === 'records') return null
  return undefined // struct: default struct
}

// ---------------------------------------------------------------------------------------------
// Code generation

interface StructInfo {
  tsName: string
  fields: FieldSchema[]
  ctx: VersionRange
  about?: string
}

function numberLiteral(n: number): string {
  if (!Number.isFinite(n)) throw new Error(`bad numeric default ${n}`)
  if (Math.abs(n) >= 2 ** 53) return n < 0 ? '-(2 ** 63)' : '2 ** 63'
  return String(n)
}

class MessageGen {
  readonly structs = new Map<string, StructInfo>()
  readonly order: string[] = []
  readonly flexible: VersionRange
  readonly valid: VersionRange

  constructor(readonly schema: MessageSchema) {
    this.flexible = parseVersions(schema.flexibleVersions ?? 'none')
    this.valid = parseVersions(schema.validVersions)
    this.collect(schema.name, schema.fields, this.valid, undefined)
    for (const cs of schema.commonStructs ?? []) {
      const tsName = schema.name + cs.name
      if (!this.structs.has(cs.name)) {
        this.structs.set(cs.name, {tsName, fields: cs.fields, ctx: this.valid})
        this.order.push(cs.name)
        for (const f of cs.fields) this.collectField(f, this.valid)
      }
    }
  }

  private collect(key: string, fields: FieldSchema[], ctx: VersionRange, about: string | undefined): void {
    const tsName = key === this.schema.name ? key : this.schema.name + key
    if (this.structs.has(key)) return
    this.structs.set(key, {tsName, fields, ctx, about})
    this.order.push(key)
    for (const f of fields) this.collectField(f, ctx)
  }

  private collectField(f: FieldSchema, ctx: VersionRange): void {
    if (!f.fields) return
    const t = isArrayType(f.type) ? elementType(f.type) : f.type
    const versions = parseVersions(f.versions ?? f.taggedVersions)
    this.collect(t, f.fields, intersect(versions, ctx), f.about)
  }

  structOf(type: string): StructInfo {
    const s = this.structs.get(type)
    if (!s) throw new Error(`${this.schema.name}: unknown struct type ${type}`)
    return s
  }

  // --- types --------------------------------------------------------------------------------

  tsType(f: ResolvedField): string {
    const nullable = !isEmpty(f.nullable) || f.type === 'records'
    const base = this.baseType(f.type)
    return nullable ? `${base} | null` : base
  }

  private baseType(t: string): string {
    if (isArrayType(t)) {
      const e = elementType(t)
      const inner = isPrimitive(e) ? this.baseType(e) : this.structOf(e).tsName
      return `${inner}[]`
    }
    switch (t) {
      case 'bool': return 'boolean'
      case 'string': case 'uuid': return 'string'
      case 'bytes': case 'records': return 'Buffer'
      default:
        if (NUMERIC.has(t)) return 'number'
        return this.structOf(t).tsName
    }
  }

  defaultExpr(f: ResolvedField): string {
    const d = defaultValue(f.schema)
    if (d === null) return 'null'
    if (isArrayType(f.type)) return '[]'
    if (f.type === 'bytes') return 'EMPTY_BYTES'
    if (typeof d === 'number') return numberLiteral(d)
    if (typeof d === 'boolean') return String(d)
    if (typeof d === 'string') return JSON.stringify(d)
    return `default${this.structOf(f.type).tsName}()`
  }

  // --- reading ------------------------------------------------------------------------------

  /** Statements that read one value of `type` into `target` (a declared `let`). */
  readValue(type: string, target: string, flex: string, nullable: string, tagged: boolean, ind: string): string[] {
    const pick = (flexCall: string, classicCall: string): string =>
      flex === 'true' ? flexCall : flex === 'false' ? classicCall : `(${flex} ? ${flexCall} : ${classicCall})`
    const nullPick = (nullCall: string, plainCall: string): string =>
      nullable === 'true' ? nullCall : nullable === 'false' ? plainCall : `(${nullable} ? ${nullCall} : ${plainCall})`
    switch (type) {
      case 'bool': return [`${ind}${target} = r.readBool()`]
      case 'int8': return [`${ind}${target} = r.readInt8()`]
      case 'int16': return [`${ind}${target} = r.readInt16()`]
      case 'uint16': return [`${ind}${target} = r.readUInt16()`]
      case 'int32': return [`${ind}${target} = r.readInt32()`]
      case 'uint32': return [`${ind}${target} = r.readUInt32()`]
      case 'int64': return [`${ind}${target} = r.readInt64()`]
      case 'float64': return [`${ind}${target} = r.readFloat64()`]
      case 'uuid': return [`${ind}${target} = r.readUuid()`]
      case 'string':
        return [`${ind}${target} = ${nullPick(pick('r.readCompactNullableString()', 'r.readNullableString()'), pick('r.readCompactString()', 'r.readString()'))}`]
      case 'bytes':
        return [`${ind}${target} = ${nullPick(pick('r.readCompactNullableBytes()', 'r.readNullableBytes()'), pick('r.readCompactBytes()', 'r.readBytes()'))}`]
      case 'records':
        return [`${ind}${target} = ${pick('r.readCompactNullableBytes()', 'r.readNullableBytes()')}`]
    }
    if (isArrayType(type)) {
      const e = elementType(type)
      const out: string[] = []
      out.push(`${ind}{`)
      out.push(`${ind}  const n = ${pick('r.readCompactArrayLength()', 'r.readArrayLength()')}`)
      out.push(`${ind}  if (n < 0) {`)
      if (nullable === 'false') out.push(`${ind}    throw new ProtocolDecodeError('non-nullable array ${target.replace(/^f_/, '')} is null')`)
      else if (nullable === 'true') out.push(`${ind}    ${target} = null`)
      else {
        out.push(`${ind}    if (!(${nullable})) throw new ProtocolDecodeError('non-nullable array ${target.replace(/^f_/, '')} is null')`)
        out.push(`${ind}    ${target} = null`)
      }
      out.push(`${ind}  } else {`)
      const elemTs = isPrimitive(e) ? this.baseType(e) : this.structOf(e).tsName
      out.push(`${ind}    const a: ${elemTs}[] = []`)
      out.push(`${ind}    for (let i = 0; i < n; i++) {`)
      if (isPrimitive(e)) {
        out.push(`${ind}      let x: ${elemTs}`)
        out.push(...this.readValue(e, 'x', flex, 'false', false, ind + '      '))
        out.push(`${ind}      a.push(x)`)
      } else {
        out.push(`${ind}      a.push(read${this.structOf(e).tsName}(r, version))`)
      }
      out.push(`${ind}    }`)
      out.push(`${ind}    ${target} = a`)
      out.push(`${ind}  }`)
      out.push(`${ind}}`)
      return out
    }
    const s = this.structOf(type)
    if (nullable === 'false') return [`${ind}${target} = read${s.tsName}(r, version)`]
    const marker = tagged ? '<= 0' : '< 0'
    if (nullable === 'true') return [`${ind}${target} = r.readInt8() ${marker} ? null : read${s.tsName}(r, version)`]
    return [`${ind}${target} = (${nullable}) && r.readInt8() ${marker} ? null : read${s.tsName}(r, version)`]
  }

  genReadStruct(key: string): string[] {
    const s = this.structs.get(key)!
    const fields = s.fields.map((f) => resolveField(f, this.flexible))
    const ctx = s.ctx
    const flexCond = versionCondition(this.flexible, ctx)
    const out: string[] = []
    const isTop = key === this.schema.name
    const fnName = `read${s.tsName}`
    if (isTop) {
      out.push(`/** Reads a ${s.tsName} body in \`version\` (${this.schema.validVersions}); absent fields get their defaults. Throws ProtocolDecodeError. */`)
      out.push(`export function ${fnName}(r: Reader, version: number): ${s.tsName} {`)
      out.push(`  if (!(${versionCheck(this.valid)})) throw new ProtocolDecodeError(\`${this.schema.name}: unsupported version \${version}\`)`)
    } else {
      out.push(`function ${fnName}(r: Reader, version: number): ${s.tsName} {`)
    }
    for (const f of fields) {
      const v = `f_${f.name}`
      const present = versionCondition(f.regular, ctx)
      const anyPresent = !isEmpty(intersect(f.versions, ctx))
      const decl = `  let ${v}: ${this.tsType(f)}`
      if (present === 'false') {
        out.push(`${decl} = ${this.defaultExpr(f)}`)
        continue
      }
      const fctx = intersect(f.regular, ctx)
      const flex = versionCondition(f.flexible, fctx)
      const nullable = versionCondition(f.nullable, fctx)
      if (present === 'true') {
        const body = this.readValue(f.type, v, flex, nullable, false, '  ')
        if (body.length === 1 && body[0].startsWith(`  ${v} = `)) out.push(`${decl} = ${body[0].slice(`  ${v} = `.length)}`)
        else out.push(decl, ...body)
      } else {
        out.push(decl)
        out.push(`  if (${present}) {`)
        out.push(...this.readValue(f.type, v, flex, nullable, false, '    '))
        out.push(`  } else {`)
        out.push(`    ${v} = ${this.defaultExpr(f)}`)
        out.push(`  }`)
      }
      void anyPresent
    }
    const taggedFields = fields.filter((f) => !isEmpty(intersect(f.tagged, ctx))).sort((a, b) => a.tag - b.tag)
    if (flexCond !== 'false') {
      const ind = flexCond === 'true' ? '  ' : '    '
      if (flexCond !== 'true') out.push(`  if (${flexCond}) {`)
      if (taggedFields.length === 0) {
        out.push(`${ind}r.readTaggedFields()`)
      } else {
        out.push(`${ind}const tagCount = r.readUVarint()`)
        out.push(`${ind}for (let t = 0; t < tagCount; t++) {`)
        out.push(`${ind}  const tag = r.readUVarint()`)
        out.push(`${ind}  const size = r.readUVarint()`)
        out.push(`${ind}  const end = r.offset + size`)
        out.push(`${ind}  if (size > r.remaining()) throw new ProtocolDecodeError(\`tagged field \${tag} of ${s.tsName}: size \${size} exceeds remaining bytes\`)`)
        out.push(`${ind}  switch (tag) {`)
        for (const f of taggedFields) {
          const cond = versionCondition(f.tagged, ctx)
          const nullable = versionCondition(f.nullable, intersect(f.tagged, ctx))
          out.push(`${ind}    case ${f.tag}:`)
          if (cond === 'true') {
            out.push(...this.readValue(f.type, `f_${f.name}`, 'true', nullable, true, ind + '      '))
          } else {
            out.push(`${ind}      if (${cond}) {`)
            out.push(...this.readValue(f.type, `f_${f.name}`, 'true', nullable, true, ind + '        '))
            out.push(`${ind}      } else {`)
            out.push(`${ind}        r.offset = end`)
            out.push(`${ind}      }`)
          }
          out.push(`${ind}      break`)
        }
        out.push(`${ind}    default:`)
        out.push(`${ind}      r.offset = end`)
        out.push(`${ind}  }`)
        out.push(`${ind}  if (r.offset !== end) throw new ProtocolDecodeError(\`tagged field \${tag} of ${s.tsName}: size mismatch\`)`)
        out.push(`${ind}}`)
      }
      if (flexCond !== 'true') out.push(`  }`)
    }
    out.push(`  return {${fields.map((f) => `${f.name}: f_${f.name}`).join(', ')}}`)
    out.push(`}`)
    return out
  }

  // --- writing ------------------------------------------------------------------------------

  writeValue(type: string, v: string, flex: string, nullable: string, tagged: boolean, ind: string, w = 'w'): string[] {
    const pick = (flexCall: string, classicCall: string): string =>
      flex === 'true' ? `${ind}${flexCall}` : flex === 'false' ? `${ind}${classicCall}` : `${ind}if (${flex}) ${flexCall}\n${ind}else ${classicCall}`
    switch (type) {
      case 'bool': return [`${ind}${w}.writeBool(${v})`]
      case 'int8': return [`${ind}${w}.writeInt8(${v})`]
      case 'int16': return [`${ind}${w}.writeInt16(${v})`]
      case 'uint16': return [`${ind}${w}.writeUInt16(${v})`]
      case 'int32': return [`${ind}${w}.writeInt32(${v})`]
      case 'uint32': return [`${ind}${w}.writeUInt32(${v})`]
      case 'int64': return [`${ind}${w}.writeInt64(${v})`]
      case 'float64': return [`${ind}${w}.writeFloat64(${v})`]
      case 'uuid': return [`${ind}${w}.writeUuid(${v})`]
      case 'string':
        if (nullable === 'true') return [pick(`${w}.writeCompactNullableString(${v})`, `${w}.writeNullableString(${v})`)]
        if (nullable === 'false') return [pick(`${w}.writeCompactString(${v} ?? '')`, `${w}.writeString(${v} ?? '')`)]
        return [
          `${ind}if (${nullable}) {`, pick(`${w}.writeCompactNullableString(${v})`, `${w}.writeNullableString(${v})`).replace(/^/gm, '  '),
          `${ind}} else {`, pick(`${w}.writeCompactString(${v} ?? '')`, `${w}.writeString(${v} ?? '')`).replace(/^/gm, '  '), `${ind}}`,
        ]
      case 'bytes':
        if (nullable === 'true') return [pick(`${w}.writeCompactNullableBytes(${v})`, `${w}.writeNullableBytes(${v})`)]
        if (nullable === 'false') return [pick(`${w}.writeCompactBytes(${v} ?? EMPTY_BYTES)`, `${w}.writeBytes(${v} ?? EMPTY_BYTES)`)]
        return [
          `${ind}if (${nullable}) {`, pick(`${w}.writeCompactNullableBytes(${v})`, `${w}.writeNullableBytes(${v})`).replace(/^/gm, '  '),
          `${ind}} else {`, pick(`${w}.writeCompactBytes(${v} ?? EMPTY_BYTES)`, `${w}.writeBytes(${v} ?? EMPTY_BYTES)`).replace(/^/gm, '  '), `${ind}}`,
        ]
      case 'records':
        return [pick(`${w}.writeCompactNullableBytes(${v})`, `${w}.writeNullableBytes(${v})`)]
    }
    if (isArrayType(type)) {
      const e = elementType(type)
      const out: string[] = []
      const body: string[] = []
      body.push(pick(`${w}.writeCompactArrayLength(${v}.length)`, `${w}.writeArrayLength(${v}.length)`))
      body.push(`${ind}for (const e of ${v}) {`)
      if (isPrimitive(e)) body.push(...this.writeValue(e, 'e', flex, 'false', false, ind + '  ', w))
      else body.push(`${ind}  write${this.structOf(e).tsName}(${w}, e, version)`)
      body.push(`${ind}}`)
      if (nullable === 'false') {
        out.push(`${ind}if (${v} == null) {`)
        out.push(pick(`${w}.writeCompactArrayLength(0)`, `${w}.writeArrayLength(0)`).replace(/^/gm, '  '))
      } else {
        out.push(`${ind}if (${v} == null) {`)
        out.push(pick(`${w}.writeCompactArrayLength(null)`, `${w}.writeArrayLength(null)`).replace(/^/gm, '  '))
      }
      out.push(`${ind}} else {`)
      out.push(...body.map((l) => l.replace(/^/gm, '  ')))
      out.push(`${ind}}`)
      return out
    }
    const s = this.structOf(type)
    if (nullable === 'false') return [`${ind}write${s.tsName}(${w}, ${v} ?? {}, version)`]
    const nullMarker = tagged ? '0' : '-1'
    const out = [`${ind}if (${v} == null) {`]
    if (nullable === 'true') out.push(`${ind}  ${w}.writeInt8(${nullMarker})`)
    else out.push(`${ind}  if (${nullable}) ${w}.writeInt8(${nullMarker})`, `${ind}  else write${s.tsName}(${w}, {}, version)`)
    out.push(`${ind}} else {`)
    if (nullable === 'true') out.push(`${ind}  ${w}.writeInt8(1)`)
    else out.push(`${ind}  if (${nullable}) ${w}.writeInt8(1)`)
    out.push(`${ind}  write${s.tsName}(${w}, ${v}, version)`)
    out.push(`${ind}}`)
    return out
  }

  /** Expression: is the (possibly undefined) value `v` different from the field's default? */
  nonDefault(f: ResolvedField, v: string): string {
    const d = defaultValue(f.schema)
    if (d === null) return `${v} != null`
    if (isArrayType(f.type)) return `${v} != null && ${v}.length > 0`
    if (f.type === 'bytes') return `${v} != null && ${v}.length > 0`
    if (typeof d === 'number' || typeof d === 'boolean' || typeof d === 'string') {
      const lit = typeof d === 'number' ? numberLiteral(d) : JSON.stringify(d)
      return `${v} !== undefined && ${v} !== ${lit}`
    }
    // struct: written unless undefined or equal to the default struct (null is written as a null marker)
    return `${v} !== undefined && (${v} === null || !isDefault${this.structOf(f.type).tsName}(${v}))`
  }

  /** `isDefaultX(m)`: every field undefined or equal to its default (Kafka compares tagged structs with `new X()`). */
  genIsDefaultStruct(key: string): string[] {
    const s = this.structs.get(key)!
    const conds: string[] = []
    for (const f0 of s.fields) {
      const f = resolveField(f0, this.flexible)
      const v = `m.${f.name}`
      const d = defaultValue(f0)
      if (d === null) conds.push(`${v} == null`)
      else if (isArrayType(f.type) || f.type === 'bytes') conds.push(`(${v} === undefined || (${v} !== null && ${v}.length === 0))`)
      else if (typeof d === 'number' || typeof d === 'boolean' || typeof d === 'string') {
        conds.push(`(${v} === undefined || ${v} === ${typeof d === 'number' ? numberLiteral(d) : JSON.stringify(d)})`)
      } else conds.push(`(${v} === undefined || (${v} !== null && isDefault${this.structOf(f.type).tsName}(${v})))`)
    }
    return [
      `function isDefault${s.tsName}(m: Input<${s.tsName}>): boolean {`,
      `  return ${conds.length ? conds.join(' &&\n    ') : 'true'}`,
      `}`,
    ]
  }

  genWriteStruct(key: string): string[] {
    const s = this.structs.get(key)!
    const fields = s.fields.map((f) => resolveField(f, this.flexible))
    const ctx = s.ctx
    const flexCond = versionCondition(this.flexible, ctx)
    const out: string[] = []
    const isTop = key === this.schema.name
    if (isTop) {
      out.push(`/** Writes a ${s.tsName} body in \`version\` (${this.schema.validVersions}); undefined fields are written as their defaults. */`)
      out.push(`export function write${s.tsName}(w: Writer, m: Input<${s.tsName}>, version: number): void {`)
      out.push(`  if (!(${versionCheck(this.valid)})) throw new RangeError(\`${this.schema.name}: unsupported version \${version}\`)`)
    } else {
      out.push(`function write${s.tsName}(w: Writer, m: Input<${s.tsName}>, version: number): void {`)
    }
    for (const f of fields) {
      const present = versionCondition(f.regular, ctx)
      if (present === 'false') continue
      const fctx = intersect(f.regular, ctx)
      const flex = versionCondition(f.flexible, fctx)
      const nullable = versionCondition(f.nullable, fctx)
      const isNullableType = !isEmpty(f.nullable) || f.type === 'records'
      const ind = present === 'true' ? '  ' : '    '
      if (present !== 'true') out.push(`  if (${present}) {`)
      const isStruct = !isPrimitive(f.type) && !isArrayType(f.type)
      if (isStruct || isArrayType(f.type)) {
        // undefined -> default (writers handle null/undefined)
        const d = this.defaultExpr(f)
        if (isStruct && d !== 'null' && isNullableType) out.push(`${ind}const v_${f.name} = m.${f.name} === undefined ? {} : m.${f.name}`)
        else if (isStruct) out.push(`${ind}const v_${f.name} = m.${f.name}`)
        else if (d === 'null' || !isNullableType) out.push(`${ind}const v_${f.name} = m.${f.name}`)
        else out.push(`${ind}const v_${f.name} = m.${f.name} === undefined ? ${d} : m.${f.name}`)
      } else if (isNullableType) {
        out.push(`${ind}const v_${f.name} = m.${f.name} === undefined ? ${this.defaultExpr(f)} : m.${f.name}`)
      } else {
        out.push(`${ind}const v_${f.name} = m.${f.name} ?? ${this.defaultExpr(f)}`)
      }
      out.push(...this.writeValue(f.type, `v_${f.name}`, flex, nullable, false, ind))
      if (present !== 'true') out.push(`  }`)
    }
    const taggedFields = fields.filter((f) => !isEmpty(intersect(f.tagged, ctx))).sort((a, b) => a.tag - b.tag)
    if (flexCond !== 'false') {
      const ind = flexCond === 'true' ? '  ' : '    '
      if (flexCond !== 'true') out.push(`  if (${flexCond}) {`)
      if (taggedFields.length === 0) {
        out.push(`${ind}w.writeUVarint(0)`)
      } else {
        out.push(`${ind}let tagCount = 0`)
        for (const f of taggedFields) {
          const cond = versionCondition(f.tagged, ctx)
          const c = cond === 'true' ? '' : `(${cond}) && `
          out.push(`${ind}const t_${f.name} = ${c}${this.nonDefault(f, `m.${f.name}`)}`)
          out.push(`${ind}if (t_${f.name}) tagCount++`)
        }
        out.push(`${ind}w.writeUVarint(tagCount)`)
        for (const f of taggedFields) {
          const nullable = versionCondition(f.nullable, intersect(f.tagged, ctx))
          out.push(`${ind}if (t_${f.name}) {`)
          out.push(`${ind}  const tw = new Writer(64)`)
          out.push(`${ind}  const v_${f.name} = m.${f.name}!`)
          out.push(...this.writeValue(f.type, `v_${f.name}`, 'true', nullable, true, ind + '  ', 'tw'))
          out.push(`${ind}  w.writeUVarint(${f.tag}).writeUVarint(tw.length).writeWriter(tw)`)
          out.push(`${ind}}`)
        }
      }
      if (flexCond !== 'true') out.push(`  }`)
    }
    out.push(`}`)
    return out
  }

  genDefaultStruct(key: string): string[] {
    const s = this.structs.get(key)!
    const fields = s.fields.map((f) => resolveField(f, this.flexible))
    return [
      `function default${s.tsName}(): ${s.tsName} {`,
      `  return {${fields.map((f) => `${f.name}: ${this.defaultExpr(f)}`).join(', ')}}`,
      `}`,
    ]
  }

  genInterface(key: string): string[] {
    const s = this.structs.get(key)!
    const out: string[] = []
    const about = key === this.schema.name ? `${this.schema.name} (versions ${this.schema.validVersions}, flexible ${this.schema.flexibleVersions ?? 'none'}).` : s.about
    if (about) out.push(`/** ${escapeDoc(about)} */`)
    out.push(`export interface ${s.tsName} {`)
    for (const f0 of s.fields) {
      const f = resolveField(f0, this.flexible)
      const notes: string[] = []
      if (f0.about) notes.push(escapeDoc(f0.about))
      const vs: string[] = [`versions ${f0.versions ?? f0.taggedVersions}`]
      if (f0.nullableVersions) vs.push(`nullable ${f0.nullableVersions}`)
      if (f0.taggedVersions) vs.push(`tagged ${f0.taggedVersions} (tag ${f.tag})`)
      if (f0.default !== undefined) vs.push(`default ${JSON.stringify(f0.default)}`)
      notes.push(`(${vs.join(', ')})`)
      out.push(`  /** ${notes.join(' ')} */`)
      out.push(`  ${f.name}: ${this.tsType(f)}`)
    }
    out.push(`}`)
    return out
  }

  /** Interfaces, default makers, readers and writers of every struct of the schema. */
  genAll(): string[] {
    const out: string[] = []
    for (const key of this.order) {
      out.push(...this.genInterface(key), '')
    }
    for (const key of this.order) {
      if (key !== this.schema.name) out.push(...this.genDefaultStruct(key), '')
    }
    for (const key of this.order) {
      if (key !== this.schema.name) out.push(...this.genIsDefaultStruct(key), '')
    }
    for (const key of this.order) out.push(...this.genReadStruct(key), '')
    for (const key of this.order) out.push(...this.genWriteStruct(key), '')
    return out
  }

  /** Whether the generated code references defaultX() helpers (unused ones are omitted). */
}

function versionCheck(r: VersionRange): string {
  return r.hi === Infinity ? `version >= ${r.lo}` : `version >= ${r.lo} && version <= ${r.hi}`
}

function escapeDoc(s: string): string {
  return s.replace(/\*\//g, '*\\/').replace(/\s+/g, ' ').trim()
}

/** Drops `function defaultX()` helpers that no generated code calls (keeps tsc/eslint quiet). */
function pruneUnusedDefaults(lines: string[]): string[] {
  const text = lines.join('\n')
  const out: string[] = []
  for (let i = 0; i < lines.length; i++) {
    const m = /^function (default\w+)\(\)/.exec(lines[i])
    if (m) {
      const uses = text.split(`${m[1]}()`).length - 1
      if (uses <= 1) {
        i += 3 // function, return, }, blank line
        continue
      }
    }
    const d = /^function (isDefault\w+)\(/.exec(lines[i])
    if (d && text.split(`${d[1]}(`).length - 1 <= 1) {
      while (lines[i] !== '}') i++
      i++ // blank line
      continue
    }
    out.push(lines[i])
  }
  return out
}

function fileHeader(sources: string[], depth: string, needsApiSpec: boolean, specType: string): string[] {
  const lines = [
    `// Generated by scripts/generate-protocol.ts from ${sources.join(' and ')}. Do not edit.`,
    `/* eslint-disable */`,
    `import {ProtocolDecodeError, type Reader} from '${depth}primitives/reader.js'`,
    `import {Writer} from '${depth}primitives/writer.js'`,
    `import type {Input} from '${depth}primitives/input.js'`,
  ]
  if (needsApiSpec) lines.push(`import type {${specType}} from '../api-spec.js'`)
  lines.push('', `const EMPTY_BYTES = Buffer.alloc(0)`, '')
  return lines
}

function finish(lines: string[]): string {
  let text = pruneUnusedDefaults(lines).join('\n')
  if (text.split('EMPTY_BYTES').length <= 2) {
    text = text.replace('const EMPTY_BYTES = Buffer.alloc(0)\n\n', '')
  }
  if (!/new Writer\(/.test(text)) text = text.replace(`import {Writer} from`, `import type {Writer} from`)
  return text.replace(/\n{3,}/g, '\n\n').replace(/\s*$/, '\n')
}

// ---------------------------------------------------------------------------------------------
// Per-kind files

export interface GeneratedFile {
  path: string
  content: string
}

function jsonList(xs: string[]): string {
  return `[${xs.map((x) => JSON.stringify(x)).join(', ')}]`
}

export function apiBaseName(schemaName: string): string {
  return schemaName.replace(/(Request|Response)$/, '')
}

function genApiFile(req: MessageSchema, resp: MessageSchema): GeneratedFile {
  const api = apiBaseName(req.name)
  const rq = new MessageGen(req)
  const rs = new MessageGen(resp)
  const lines = fileHeader([`${req.name}.json`, `${resp.name}.json`], '../../', true, 'ApiSpec')
  lines.push(...rq.genAll(), ...rs.genAll())
  const valid = parseVersions(req.validVersions)
  const flex = parseVersions(req.flexibleVersions ?? 'none')
  const listeners = [...(req.listeners ?? [])].sort()
  lines.push(`/** ${api} (API key ${req.apiKey}): versions and listeners from ${req.name}.json. */`)
  lines.push(`export const ${api}Api: ApiSpec = {`)
  lines.push(`  apiKey: ${req.apiKey},`)
  lines.push(`  name: ${JSON.stringify(api)},`)
  lines.push(`  minVersion: ${valid.lo},`)
  lines.push(`  maxVersion: ${valid.hi},`)
  lines.push(`  flexibleMinVersion: ${isEmpty(flex) ? -1 : flex.lo},`)
  lines.push(`  listeners: ${jsonList(listeners)},`)
  lines.push(`  latestVersionUnstable: ${req.latestVersionUnstable === true},`)
  if (req.deprecatedVersions) lines.push(`  deprecatedVersions: ${JSON.stringify(req.deprecatedVersions)},`)
  lines.push(`}`)
  return {path: `messages/${kebabCase(api)}.ts`, content: finish(lines)}
}

function genRecordFile(dir: string, schema: MessageSchema, source: string): GeneratedFile {
  const g = new MessageGen(schema)
  const lines = fileHeader([source], '../../', true, 'MessageSpec')
  lines.push(...g.genAll())
  const flex = g.flexible
  lines.push(`/** ${schema.name}: versions from ${source}${schema.type === 'metadata' ? ' (apiKey = metadata record type)' : ''}. */`)
  lines.push(`export const ${schema.name}Spec: MessageSpec = {`)
  lines.push(`  apiKey: ${schema.apiKey ?? -1},`)
  lines.push(`  name: ${JSON.stringify(schema.name)},`)
  lines.push(`  minVersion: ${g.valid.lo},`)
  lines.push(`  maxVersion: ${g.valid.hi},`)
  lines.push(`  flexibleMinVersion: ${isEmpty(flex) ? -1 : flex.lo},`)
  lines.push(`}`)
  return {path: `${dir}/${kebabCase(schema.name)}.ts`, content: finish(lines)}
}

const API_SPEC_FILE = `// Generated by scripts/generate-protocol.ts. Do not edit.

/**
 * Versions and listeners of one request/response API, from its request schema
 * (\`../shared/kafka-protocol/message/<Name>Request.json\`).
 */
export interface ApiSpec {
  /** int16 API key. */
  apiKey: number
  /** API name without Request/Response, e.g. \`ApiVersions\`. */
  name: string
  minVersion: number
  maxVersion: number
  /** First flexible (KIP-482) version, -1 if none. */
  flexibleMinVersion: number
  /** Listener kinds from the schema: \`broker\`, \`controller\`, \`zkBroker\`. */
  listeners: string[]
  /** The highest version is still under development (not advertised by default). */
  latestVersionUnstable: boolean
  /** Versions deprecated by KIP-896, e.g. \`0-6\`. */
  deprecatedVersions?: string
}

/** Versions of a record/data schema (metadata records, coordinator records, control records). */
export interface MessageSpec {
  /** Metadata record type (\`apiKey\` of the schema), or the key's record type for coordinator keys; -1 if none. */
  apiKey: number
  name: string
  minVersion: number
  maxVersion: number
  /** First flexible version, -1 if none. */
  flexibleMinVersion: number
}
`

// ---------------------------------------------------------------------------------------------
// Driver

function jsonFiles(dir: string): string[] {
  if (!existsSync(dir)) return []
  return readdirSync(dir).filter((f) => f.endsWith('.json')).sort()
}

/** Generates every output file (paths relative to `src/protocol/generated/`) from `schemaDir`. */
export function generateAll(schemaDir: string): GeneratedFile[] {
  const files: GeneratedFile[] = [{path: 'api-spec.ts', content: API_SPEC_FILE}]
  const msgDir = join(schemaDir, 'message')
  const byName = new Map<string, MessageSchema>()
  const data: [MessageSchema, string][] = []
  for (const f of jsonFiles(msgDir)) {
    const s = loadSchema(join(msgDir, f))
    if (s.type === 'request' || s.type === 'response') byName.set(s.name, s)
    else if (s.type === 'data') data.push([s, f])
    else if (s.type === 'header') files.push(genRecordFile('header', s, f))
  }
  const apis: MessageSchema[] = []
  for (const [name, s] of byName) {
    if (s.type !== 'request') continue
    const resp = byName.get(name.replace(/Request$/, 'Response'))
    if (!resp) throw new Error(`no response schema for ${name}`)
    files.push(genApiFile(s, resp))
    apis.push(s)
  }
  apis.sort((a, b) => a.apiKey! - b.apiKey!)
  const idx: string[] = [`// Generated by scripts/generate-protocol.ts. Do not edit.`, `/* eslint-disable */`, `import type {Reader} from '../../primitives/reader.js'`, `import type {Writer} from '../../primitives/writer.js'`, `import type {ApiSpec} from '../api-spec.js'`]
  for (const a of apis) {
    const n = apiBaseName(a.name)
    idx.push(`import {${n}Api, read${n}Request, write${n}Request, read${n}Response, write${n}Response} from './${kebabCase(n)}.js'`)
  }
  idx.push('', `/** Codec of one API: bodies only (headers are in protocol/header.ts). */`)
  idx.push(`export interface ApiCodec {`, `  spec: ApiSpec`, `  readRequest(r: Reader, version: number): any`, `  writeRequest(w: Writer, msg: any, version: number): void`, `  readResponse(r: Reader, version: number): any`, `  writeResponse(w: Writer, msg: any, version: number): void`, `}`, '')
  idx.push(`/** Every API of the schemas, sorted by API key. */`)
  idx.push(`export const API_SPECS: ApiSpec[] = [${apis.map((a) => `${apiBaseName(a.name)}Api`).join(', ')}]`, '')
  idx.push(`/** API key -> codec. */`)
  idx.push(`export const API_CODECS: Map<number, ApiCodec> = new Map<number, ApiCodec>([`)
  for (const a of apis) {
    const n = apiBaseName(a.name)
    idx.push(`  [${a.apiKey}, {spec: ${n}Api, readRequest: read${n}Request, writeRequest: write${n}Request, readResponse: read${n}Response, writeResponse: write${n}Response}],`)
  }
  idx.push(`])`, '')
  files.push({path: 'messages/index.ts', content: idx.join('\n')})

  // data schemas of message/ and storage/ProducerSnapshot.json
  const storageSnap = join(schemaDir, 'storage', 'ProducerSnapshot.json')
  if (existsSync(storageSnap)) data.push([loadSchema(storageSnap), 'ProducerSnapshot.json'])
  data.sort((a, b) => a[0].name.localeCompare(b[0].name))
  for (const [s, f] of data) files.push(genRecordFile('data', s, f))
  files.push(reexportIndex('data', data.map(([s]) => s.name)))

  // metadata records
  const metaDir = join(schemaDir, 'metadata')
  const metas = jsonFiles(metaDir).map((f) => [loadSchema(join(metaDir, f)), f] as const).filter(([s]) => s.type === 'metadata')
  metas.sort((a, b) => a[0].apiKey! - b[0].apiKey!)
  for (const [s, f] of metas) files.push(genRecordFile('metadata', s, f))
  const mi: string[] = [`// Generated by scripts/generate-protocol.ts. Do not edit.`, `/* eslint-disable */`, `import type {Reader} from '../../primitives/reader.js'`, `import type {Writer} from '../../primitives/writer.js'`, `import type {MessageSpec} from '../api-spec.js'`]
  for (const [s] of metas) mi.push(`import {${s.name}Spec, read${s.name}, write${s.name}} from './${kebabCase(s.name)}.js'`)
  for (const [s] of metas) mi.push(`export * from './${kebabCase(s.name)}.js'`)
  mi.push('', `/** Codec of one metadata record type (record body only; framing is in the metadata log layer). */`)
  mi.push(`export interface MetadataRecordCodec {`, `  spec: MessageSpec`, `  read(r: Reader, version: number): any`, `  write(w: Writer, msg: any, version: number): void`, `}`, '')
  mi.push(`/** Metadata record type (schema apiKey) -> codec. */`)
  mi.push(`export const METADATA_RECORD_CODECS: Map<number, MetadataRecordCodec> = new Map<number, MetadataRecordCodec>([`)
  for (const [s] of metas) mi.push(`  [${s.apiKey}, {spec: ${s.name}Spec, read: read${s.name}, write: write${s.name}}],`)
  mi.push(`])`, '')
  files.push({path: 'metadata/index.ts', content: mi.join('\n')})

  // coordinator records
  const coord: [MessageSchema, string][] = []
  for (const sub of ['group-coordinator', 'transaction-coordinator']) {
    for (const f of jsonFiles(join(schemaDir, sub))) coord.push([loadSchema(join(schemaDir, sub, f)), f])
  }
  coord.sort((a, b) => a[0].name.localeCompare(b[0].name))
  for (const [s, f] of coord) files.push(genRecordFile('coordinator', s, f))
  files.push(reexportIndex('coordinator', coord.map(([s]) => s.name)))
  files.push(genJsonFieldsFile([...data.map(([s]) => s), ...metas.map(([s]) => s), ...coord.map(([s]) => s)]))
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
  return files
}

// ---------------------------------------------------------------------------------------------
// JSON field descriptors (for Kafka's generated `<Name>JsonConverter.write` output in the tools)

const OPEN_HI = 32767

function rangeLiteral(r: VersionRange): string {
  return `[${r.lo}, ${r.hi === Infinity ? OPEN_HI : r.hi}]`
}

function fieldDescriptor(f: FieldSchema, schema: MessageSchema, indent: string): string[] {
  const versions = parseVersions(f.versions ?? f.taggedVersions)
  const parts = [`name: ${JSON.stringify(camelCase(f.name))}`, `type: ${JSON.stringify(f.type)}`, `versions: ${rangeLiteral(versions)}`]
  const tagged = parseVersions(f.taggedVersions, EMPTY_RANGE)
  if (!isEmpty(tagged)) parts.push(`tagged: ${rangeLiteral(tagged)}`)
  const nullable = parseVersions(f.nullableVersions, EMPTY_RANGE)
  if (!isEmpty(nullable)) parts.push(`nullable: ${rangeLiteral(nullable)}`)
  const d = defaultValue(f)
  if (d === null || typeof d === 'number' || typeof d === 'boolean' || typeof d === 'string') parts.push(`default: ${JSON.stringify(d)}`)
  const base = isArrayType(f.type) ? elementType(f.type) : f.type
  const children = f.fields ?? (isPrimitive(base) ? undefined : schema.commonStructs?.find((c) => c.name === base)?.fields)
  if (children === undefined) return [`${indent}{${parts.join(', ')}},`]
  return [`${indent}{${parts.join(', ')}, fields: [`, ...children.flatMap((c) => fieldDescriptor(c, schema, indent + '  ')), `${indent}]},`]
}

/** `json/record-fields.ts`: the field tree (names, versions, tagged/nullable versions, defaults) of every record schema. */
function genJsonFieldsFile(schemas: MessageSchema[]): GeneratedFile {
  const lines = [
    `// Generated by scripts/generate-protocol.ts. Do not edit.`,
    `/* eslint-disable */`,
    `import type {JsonFieldSpec} from '../../json/json-field-spec.js'`,
    '',
    `/** Field trees of the record/data schemas (metadata, coordinator, control and other data records), by schema name; open ranges end at ${OPEN_HI}. */`,
    `export const RECORD_JSON_FIELDS: ReadonlyMap<string, readonly JsonFieldSpec[]> = new Map<string, readonly JsonFieldSpec[]>([`,
  ]
  for (const s of [...schemas].sort((a, b) => a.name.localeCompare(b.name))) {
    lines.push(`  [${JSON.stringify(s.name)}, [`, ...s.fields.flatMap((f) => fieldDescriptor(f, s, '    ')), `  ]],`)
  }
  lines.push(`])`, '')
  return {path: 'json/record-fields.ts', content: lines.join('\n')}
}

function reexportIndex(dir: string, names: string[]): GeneratedFile {
  const lines = [`// Generated by scripts/generate-protocol.ts. Do not edit.`]
  for (const n of [...names].sort()) lines.push(`export * from './${kebabCase(n)}.js'`)
  return {path: `${dir}/index.ts`, content: lines.join('\n') + '\n'}
}

/** Writes the generated files under `outDir`, replacing its generated subfolders. */
export function writeAll(files: GeneratedFile[], outDir: string): void {
  for (const sub of ['messages', 'metadata', 'coordinator', 'data', 'header', 'json']) rmSync(join(outDir, sub), {recursive: true, force: true})
  for (const f of files) {
    const p = join(outDir, f.path)
    mkdirSync(dirname(p), {recursive: true})
    writeFileSync(p, f.content)
  }
}

/** The repository root: the nearest folder above this script with a package.json (works from dist/ too). */
export const REPO_ROOT = findRepoRoot(dirname(fileURLToPath(import.meta.url)))

function findRepoRoot(start: string): string {
  for (let d = start; ; d = dirname(d)) {
    if (existsSync(join(d, 'package.json'))) return d
    if (dirname(d) === d) return resolve(start, '..')
  }
}

export function defaultSchemaDir(): string {
  return process.env.KAFKA_PROTOCOL_DIR ? resolve(process.env.KAFKA_PROTOCOL_DIR) : resolve(REPO_ROOT, '..', 'shared', 'kafka-protocol')
}

function main(): void {
  const schemaDir = defaultSchemaDir()
  if (!existsSync(join(schemaDir, 'message'))) {
    process.stderr.write(`generate-protocol: Kafka protocol schemas not found at ${schemaDir} (expected a message/ folder). Set KAFKA_PROTOCOL_DIR.\n`)
    process.exit(1)
  }
  const outDir = process.argv[2] ? resolve(process.argv[2]) : join(REPO_ROOT, 'src', 'protocol', 'generated')
  const files = generateAll(schemaDir)
  writeAll(files, outDir)
  process.stdout.write(`generate-protocol: wrote ${files.length} files to ${outDir}\n`)
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) main()

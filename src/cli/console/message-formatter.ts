/**
 * Kafka's `DefaultMessageFormatter` for `kts console-consumer` (`../shared/spec/kafka-tools.md` §4.3):
 * per record the enabled fields (timestamp, partition, offset, headers, key, value) separated by
 * `key.separator`, ended by `line.separator`; bytes are written raw. Pure: returns Buffers.
 */

/** Formatter properties (`--property k=v`), Kafka names and defaults. */
export interface FormatterConfig {
  printTimestamp: boolean
  printPartition: boolean
  printOffset: boolean
  printHeaders: boolean
  printKey: boolean
  printValue: boolean
  keySeparator: Buffer
  lineSeparator: Buffer
  headersSeparator: Buffer
  nullLiteral: Buffer
}

/** A consumed record as the formatter sees it. `timestampType` is 0 CreateTime, 1 LogAppendTime, -1 none. */
export interface ConsumedRecord {
  topic: string
  partition: number
  offset: number
  timestamp: number
  timestampType: number
  key: Buffer | null
  value: Buffer | null
  headers: ReadonlyArray<{key: string, value: Buffer | null}>
}

const isTrue = (v: string | undefined, def: boolean): boolean => v === undefined ? def : v.trim().toLowerCase() === 'true'

/** Formatter config from `--property` values. */
export function formatterConfig(props: Record<string, string>): FormatterConfig {
  return {
    printTimestamp: isTrue(props['print.timestamp'], false),
    printPartition: isTrue(props['print.partition'], false),
    printOffset: isTrue(props['print.offset'], false),
    printHeaders: isTrue(props['print.headers'], false),
    printKey: isTrue(props['print.key'], false),
    printValue: isTrue(props['print.value'], true),
    keySeparator: Buffer.from(props['key.separator'] ?? '\t', 'utf8'),
    lineSeparator: Buffer.from(props['line.separator'] ?? '\n', 'utf8'),
    headersSeparator: Buffer.from(props['headers.separator'] ?? ',', 'utf8'),
    nullLiteral: Buffer.from(props['null.literal'] ?? 'null', 'utf8'),
  }
}

/** Appends the bytes of one record to `out` (no copies of key/value). */
export function formatRecord(c: FormatterConfig, r: ConsumedRecord, out: Buffer[]): void {
  const fields: Buffer[] = []
  if (c.printTimestamp) {
    fields.push(Buffer.from(r.timestampType < 0 || r.timestamp < 0 ? 'NO_TIMESTAMP'
      : `${r.timestampType === 1 ? 'LogAppendTime' : 'CreateTime'}:${r.timestamp}`))
  }
  if (c.printPartition) fields.push(Buffer.from(`Partition:${r.partition}`))
  if (c.printOffset) fields.push(Buffer.from(`Offset:${r.offset}`))
  if (c.printHeaders) {
    if (r.headers.length === 0) {
      fields.push(Buffer.from('NO_HEADERS'))
    } else {
      const parts: Buffer[] = []
      r.headers.forEach((h, i) => {
        if (i > 0) parts.push(c.headersSeparator)
        parts.push(Buffer.from(h.key + ':', 'utf8'), h.value ?? c.nullLiteral)
      })
      fields.push(Buffer.concat(parts))
    }
  }
  if (c.printKey) fields.push(r.key ?? c.nullLiteral)
  if (c.printValue) fields.push(r.value ?? c.nullLiteral)
  fields.forEach((f, i) => {
    out.push(f)
    out.push(i < fields.length - 1 ? c.keySeparator : c.lineSeparator)
  })
}

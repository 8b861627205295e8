/**
 * Kafka's `LineMessageReader` for `kts console-producer` (`../shared/spec/kafka-tools.md` §3.2):
 * one record per stdin line, optional headers and key, null markers. Pure parsing, plus a
 * `LineSplitter` that cuts a byte stream into lines ending in `\n`, `\r\n` or `\r`.
 */
import {TerseError} from '../errors.js'

/** Reader properties (`--property k=v`), Kafka names and defaults. */
export interface LineReaderConfig {
  parseKey: boolean
  keySeparator: string
  parseHeaders: boolean
  headersDelimiter: string
  headersSeparator: string
  headersKeySeparator: string
  ignoreError: boolean
  nullMarker: string | null
}

/** One parsed line: null key/value/header value where absent or equal to `null.marker`. */
export interface LineRecord {
  key: Buffer | null
  value: Buffer | null
  headers: Array<{key: string, value: Buffer | null}>
}

/** A bad reader configuration or line (Kafka's `KafkaException`); printed as one line, exit 1. */
export class LineReaderError extends TerseError {
  constructor(message: string) {
    super(message)
    this.name = 'KafkaException'
  }
}

const isTrue = (v: string | undefined): boolean => v !== undefined && v.trim().toLowerCase() === 'true'

/**
 * Reader config from `--property` values (Kafka `LineMessageReader.configure`).
 * @throws LineReaderError when two separators are equal (`headers.delimiter and headers.separator may not be equal`, ...).
 */
export function lineReaderConfig(props: Record<string, string>): LineReaderConfig {
  const c: LineReaderConfig = {
    parseKey: isTrue(props['parse.key']),
    keySeparator: props['key.separator'] ?? '\t',
    parseHeaders: isTrue(props['parse.headers']),
    headersDelimiter: props['headers.delimiter'] ?? '\t',
    headersSeparator: props['headers.separator'] ?? ',',
    headersKeySeparator: props['headers.key.separator'] ?? ':',
    ignoreError: isTrue(props['ignore.error']),
    nullMarker: props['null.marker'] ?? null,
  }
  const pairs: Array<[string, string, string, string]> = [
    ['headers.delimiter', c.headersDelimiter, 'headers.separator', c.headersSeparator],
    ['headers.delimiter', c.headersDelimiter, 'headers.key.separator', c.headersKeySeparator],
    ['headers.separator', c.headersSeparator, 'headers.key.separator', c.headersKeySeparator],
  ]
  if (c.parseHeaders) {
    for (const [an, a, bn, b] of pairs) if (a === b) throw new LineReaderError(`${an} and ${bn} may not be equal`)
  }
  if (c.nullMarker !== null) {
    const others: Array<[string, string]> = [['key.separator', c.keySeparator], ['headers.delimiter', c.headersDelimiter],
      ['headers.separator', c.headersSeparator], ['headers.key.separator', c.headersKeySeparator]]
    for (const [n, v] of others) if (v === c.nullMarker) throw new LineReaderError(`null.marker and ${n} may not be equal`)
  }
  return c
}

/** Parses lines into records; counts line numbers for error messages. */
export class LineMessageReader {
  private lineNumber = 0
  private readonly headerSplit: RegExp

  constructor(private readonly config: LineReaderConfig) {
    try {
      this.headerSplit = new RegExp(config.headersSeparator)
    } catch {
      throw new LineReaderError(`Invalid headers.separator regex: ${config.headersSeparator}`)
    }
  }

  /**
   * Parses one line (without its line terminator).
   * @throws LineReaderError `No key separator found on line number 3: 'abc'` and the like (unless `ignore.error`).
   */
  parse(line: string): LineRecord {
    const c = this.config
    this.lineNumber++
    const headers = this.section(c.parseHeaders, line, 0, c.headersDelimiter, 'headers delimiter')
    const headerOffset = headers === null ? 0 : headers.length + c.headersDelimiter.length
    const key = this.section(c.parseKey, line, headerOffset, c.keySeparator, 'key separator')
    const keyOffset = key === null ? 0 : key.length + c.keySeparator.length
    const value = line.slice(headerOffset + keyOffset)
    return {
      key: key !== null && key !== c.nullMarker ? Buffer.from(key, 'utf8') : null,
      value: value !== c.nullMarker ? Buffer.from(value, 'utf8') : null,
      headers: headers !== null && headers !== c.nullMarker ? this.splitHeaders(headers) : [],
    }
  }

  private section(enabled: boolean, line: string, start: number, demarcation: string, name: string): string | null {
    if (!enabled) return null
    const i = line.indexOf(demarcation, start)
    if (i < 0) {
      if (this.config.ignoreError) return null
      throw new LineReaderError(`No ${name} found on line number ${this.lineNumber}: '${line}'`)
    }
    return line.slice(start, i)
  }

  private splitHeaders(headers: string): Array<{key: string, value: Buffer | null}> {
    const c = this.config
    const pairs = headers.split(this.headerSplit)
    while (pairs.length > 1 && pairs[pairs.length - 1] === '') pairs.pop() // Java's Pattern.split drops trailing empties
    return pairs.map((pair) => {
      const i = pair.indexOf(c.headersKeySeparator)
      if (i < 0) {
        if (c.ignoreError) return {key: pair, value: null}
        throw new LineReaderError(`No header key separator found in pair '${pair}' on line number ${this.lineNumber}`)
      }
      const key = pair.slice(0, i)
      if (key === c.nullMarker) throw new LineReaderError(`Header keys should not be equal to the null marker '${c.nullMarker}' as they can't be null`)
      const value = pair.slice(i + c.headersKeySeparator.length)
      return {key, value: value === c.nullMarker ? null : Buffer.from(value, 'utf8')}
    })
  }
}

/**
 * Splits UTF-8 chunks into lines like Java's `BufferedReader.readLine`: `\n`, `\r\n` and `\r` end a
 * line; a final line without a terminator is returned by `end()`.
 */
export class LineSplitter {
  private rest = ''
  private skipLf = false

  /** Lines completed by `chunk`. */
  push(chunk: string): string[] {
    let s = chunk
    if (this.skipLf && s.startsWith('\n')) s = s.slice(1)
    this.skipLf = false
    const text = this.rest + s
    const lines: string[] = []
    let start = 0
    for (let i = 0; i < text.length; i++) {
      const ch = text.charCodeAt(i)
      if (ch === 10 || ch === 13) {
        lines.push(text.slice(start, i))
        if (ch === 13) {
          if (i + 1 < text.length) {
            if (text.charCodeAt(i + 1) === 10) i++
          } else {
            this.skipLf = true
          }
        }
        start = i + 1
      }
    }
    this.rest = text.slice(start)
    return lines
  }

  /** The unterminated last line, if any. */
  end(): string | null {
    const r = this.rest
    this.rest = ''
    return r.length > 0 ? r : null
  }
}

/**
 * Java's number and date formatting as Kafka's perf tools print them: `String.format("%.nf")`
 * (`java.util.Formatter`) and `java.text.SimpleDateFormat` patterns (default locale en_US, the
 * process's time zone).
 */

/**
 * `String.format("%.<digits>f", x)`: Java rounds the shortest decimal representation of the double
 * (the digits of `Double.toString`) HALF_UP, so `0.125` → `0.13` and `1.005` → `1.01`; NaN and
 * infinities print as `NaN`, `Infinity`, `-Infinity`; a negative value keeps its sign (`-0.0`).
 */
export function javaFixed(x: number, digits: number): string {
  if (Number.isNaN(x)) return 'NaN'
  if (!Number.isFinite(x)) return x > 0 ? 'Infinity' : '-Infinity'
  const sign = x < 0 || Object.is(x, -0) ? '-' : ''
  // Shortest round-tripping digits D and exponent: |x| = 0.D × 10^point.
  const [mantissa, exponent] = Math.abs(x).toExponential().split('e')
  const ds = mantissa.replace('.', '')
  const point = Number(exponent) + 1
  // |x| × 10^digits = 0.D × 10^keep: its integer part, rounded HALF_UP on the next digit.
  const keep = point + digits
  let scaled = 0n
  if (keep > 0) {
    scaled = BigInt(ds.slice(0, keep).padEnd(keep, '0'))
    if (keep < ds.length && ds.charCodeAt(keep) >= 53 /* '5' */) scaled += 1n
  } else if (keep === 0 && ds.charCodeAt(0) >= 53) {
    scaled = 1n
  }
  const text = scaled.toString().padStart(digits + 1, '0')
  return digits === 0 ? sign + text : `${sign}${text.slice(0, text.length - digits)}.${text.slice(text.length - digits)}`
}

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December']
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday']
/** SimpleDateFormat's pattern letters (Java 8+). */
const PATTERN_LETTERS = 'GyYMLwWDdFEuaHkKhmsSzZX'

type Part = string | {letter: string, count: number}

/** Thrown for a pattern SimpleDateFormat rejects; the message is Java's (`Illegal pattern character 'q'`). */
export class DatePatternError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'DatePatternError'
  }
}

function parsePattern(pattern: string): Part[] {
  const parts: Part[] = []
  let i = 0
  while (i < pattern.length) {
    const c = pattern[i]
    if (c === '\'') {
      if (pattern[i + 1] === '\'') {
        parts.push('\'')
        i += 2
        continue
      }
      let text = ''
      i++
      for (;;) {
        if (i >= pattern.length) throw new DatePatternError('Unterminated quote')
        if (pattern[i] === '\'') {
          if (pattern[i + 1] === '\'') {
            text += '\''
            i += 2
            continue
          }
          i++
          break
        }
        text += pattern[i++]
      }
      parts.push(text)
    } else if (/[A-Za-z]/.test(c)) {
      if (!PATTERN_LETTERS.includes(c)) throw new DatePatternError(`Illegal pattern character '${c}'`)
      let count = 1
      while (pattern[i + count] === c) count++
      parts.push({letter: c, count})
      i += count
    } else {
      parts.push(c)
      i++
    }
  }
  return parts
}

const pad = (n: number, width: number): string => String(n).padStart(width, '0')

function zoneOffset(d: Date, style: 'Z' | 'X1' | 'X2' | 'X3'): string {
  const off = -d.getTimezoneOffset()
  if (style !== 'Z' && off === 0) return 'Z'
  const sign = off < 0 ? '-' : '+'
  const hh = pad(Math.floor(Math.abs(off) / 60), 2)
  const mm = pad(Math.abs(off) % 60, 2)
  if (style === 'X1') return sign + hh
  if (style === 'X3') return `${sign}${hh}:${mm}`
  return sign + hh + mm
}

function zoneName(d: Date, long: boolean): string {
  const name = new Intl.DateTimeFormat('en-US', {timeZoneName: long ? 'long' : 'short'}).formatToParts(d).find((p) => p.type === 'timeZoneName')?.value
  return name ?? zoneOffset(d, 'X3')
}

function dayOfYear(d: Date): number {
  const start = new Date(d.getFullYear(), 0, 1)
  return Math.round((new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime() - start.getTime()) / 86_400_000) + 1
}

function field(d: Date, letter: string, count: number): string {
  switch (letter) {
    case 'G': return d.getFullYear() > 0 ? 'AD' : 'BC'
    case 'y': case 'Y': {
      const y = d.getFullYear()
      return count === 2 ? pad(y % 100, 2) : pad(y, count)
    }
    case 'M': case 'L':
      if (count >= 4) return MONTHS[d.getMonth()]
      if (count === 3) return MONTHS[d.getMonth()].slice(0, 3)
      return pad(d.getMonth() + 1, count)
    case 'w': {
      // en_US weeks: start on Sunday, week 1 holds January 1st.
      const jan1 = new Date(d.getFullYear(), 0, 1).getDay()
      return pad(Math.floor((dayOfYear(d) - 1 + jan1) / 7) + 1, count)
    }
    case 'W': {
      const first = new Date(d.getFullYear(), d.getMonth(), 1).getDay()
      return pad(Math.floor((d.getDate() - 1 + first) / 7) + 1, count)
    }
    case 'D': return pad(dayOfYear(d), count)
    case 'd': return pad(d.getDate(), count)
    case 'F': return pad(Math.floor((d.getDate() - 1) / 7) + 1, count)
    case 'E': return count >= 4 ? DAYS[d.getDay()] : DAYS[d.getDay()].slice(0, 3)
    case 'u': return pad(d.getDay() === 0 ? 7 : d.getDay(), count)
    case 'a': return d.getHours() < 12 ? 'AM' : 'PM'
    case 'H': return pad(d.getHours(), count)
    case 'k': return pad(d.getHours() === 0 ? 24 : d.getHours(), count)
    case 'K': return pad(d.getHours() % 12, count)
    case 'h': return pad(d.getHours() % 12 === 0 ? 12 : d.getHours() % 12, count)
    case 'm': return pad(d.getMinutes(), count)
    case 's': return pad(d.getSeconds(), count)
    case 'S': return pad(d.getMilliseconds(), count)
    case 'z': return zoneName(d, count >= 4)
    case 'Z': return zoneOffset(d, 'Z')
    case 'X': return zoneOffset(d, count === 1 ? 'X1' : count === 2 ? 'X2' : 'X3')
    default: return ''
  }
}

/**
 * A formatter for `new SimpleDateFormat(pattern).format(ms)` in the process's local time zone.
 * @throws DatePatternError (`Illegal pattern character 'q'`, `Unterminated quote`) as Java's constructor does.
 */
export function simpleDateFormat(pattern: string): (ms: number) => string {
  const parts = parsePattern(pattern)
  return (ms: number): string => {
    const d = new Date(ms)
    let out = ''
    for (const p of parts) out += typeof p === 'string' ? p : field(d, p.letter, p.count)
    return out
  }
}

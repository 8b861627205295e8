/**
 * Time arguments of `kts consumer-groups --reset-offsets`: `--to-datetime` (Kafka `Utils.getDateTime`)
 * and `--by-duration` (Java `Duration.parse`). Pure. Errors carry the text Kafka's tool prints after
 * `Executing consumer group command failed due to `.
 */
import {javaSplit} from './java-split.js'

/**
 * `YYYY-MM-DDTHH:mm:SS.sss` with an optional zone (`Z`, `+hh`, `+hhmm`, `+hh:mm`; none = UTC) →
 * ms since the epoch. Fields are checked strictly (SimpleDateFormat with `setLenient(false)`);
 * the milliseconds take 1 to 3 digits.
 * @throws Error `java.text.ParseException: Unparseable date: "2024-13-01T00:00:00.000Z"`, or
 *   `java.text.ParseException: Error parsing timestamp. It does not contain a 'T' according to ISO8601 format`.
 */
export function parseKafkaDateTime(value: string): number {
  const parts = javaSplit(value, 'T')
  if (parts.length < 2) throw new Error('java.text.ParseException: Error parsing timestamp. It does not contain a \'T\' according to ISO8601 format')
  const second = parts[1]
  const text = second.includes('+') || second.includes('-') || second.includes('Z') ? value : value + 'Z'
  const unparseable = new Error(`java.text.ParseException: Unparseable date: "${text}"`)
  const m = /^(\d{4,})-(\d{1,2})-(\d{1,2})T(\d{1,2}):(\d{1,2}):(\d{1,2})\.(\d{1,3})(Z|([+-])(\d{2})(?::?(\d{2}))?)$/.exec(text)
  if (m === null) throw unparseable
  const [year, month, day, hour, minute, sec, ms] = m.slice(1, 8).map(Number)
  const zoneHours = m[10] === undefined ? 0 : Number(m[10])
  const zoneMinutes = m[11] === undefined ? 0 : Number(m[11])
  const monthDays = month === 2 ? (isLeap(year) ? 29 : 28) : [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
  if (month < 1 || month > 12 || day < 1 || day > monthDays || hour > 23 || minute > 59 || sec > 59 || zoneHours > 23 || zoneMinutes > 59) {
    throw unparseable
  }
  const d = new Date(0)
  d.setUTCFullYear(year, month - 1, day)
  d.setUTCHours(hour, minute, sec, ms)
  const sign = m[9] === '-' ? -1 : 1
  return d.getTime() - sign * (zoneHours * 60 + zoneMinutes) * 60_000
}

function isLeap(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0
}

/**
 * ISO-8601 duration `PnDTnHnMn.nS` (case-insensitive, signed parts allowed, as Java's
 * `Duration.parse`) → milliseconds (fractions of a millisecond are dropped).
 * @throws Error `Text cannot be parsed to a Duration`.
 */
export function parseJavaDuration(value: string): number {
  const m = /^([-+]?)P(?:([-+]?[0-9]+)D)?(T(?:([-+]?[0-9]+)H)?(?:([-+]?[0-9]+)M)?(?:([-+]?[0-9]+)(?:[.,]([0-9]{0,9}))?S)?)?$/i.exec(value)
  const fail = (): never => {
    throw new Error('Text cannot be parsed to a Duration')
  }
  if (m === null || m[3]?.toUpperCase() === 'T') return fail()
  const [, negate, days, , hours, minutes, seconds, fraction] = m
  if (days === undefined && hours === undefined && minutes === undefined && seconds === undefined) return fail()
  const n = (s: string | undefined): number => (s === undefined ? 0 : Number(s))
  const wholeSeconds = n(days) * 86400 + n(hours) * 3600 + n(minutes) * 60 + n(seconds)
  let fractionMs = fraction === undefined || fraction === '' ? 0 : Math.trunc(Number(fraction.padEnd(9, '0')) / 1e6)
  if (seconds?.startsWith('-')) fractionMs = -fractionMs
  const total = wholeSeconds * 1000 + fractionMs
  if (!Number.isSafeInteger(total)) return fail()
  return negate === '-' ? -total : total
}

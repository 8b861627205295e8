/**
 * Log lines of Kafka's tools (`config/tools-log4j.properties`: WARN and above to stderr, pattern
 * `[%d] %p %m (%c)%n`, e.g. `[2024-10-25 10:00:00,123] ERROR ... (org.apache.kafka.tools.ConsoleProducer)`).
 */
import {paintLines, stderrStyle} from '../output/style.js'

/** log4j's default `%d`: `yyyy-MM-dd HH:mm:ss,SSS` in local time. */
export function log4jDate(d = new Date()): string {
  const p = (n: number, w = 2): string => String(n).padStart(w, '0')
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())},${p(d.getMilliseconds(), 3)}`
}

/**
 * Writes `[date] LEVEL message (logger)` to stderr, plus an optional cause line; on a colour
 * terminal ERROR lines are red and WARN lines yellow (`output/style.ts`).
 */
export function toolLog(level: 'ERROR' | 'WARN', message: string, logger: string, cause?: unknown): void {
  let text = `[${log4jDate()}] ${level} ${message} (${logger})\n`
  if (cause !== undefined) text += `${cause instanceof Error ? (cause.message ? `${cause.name}: ${cause.message}` : cause.name) : String(cause)}\n`
  const style = stderrStyle()
  process.stderr.write(style.enabled ? paintLines(text, level === 'ERROR' ? style.error : style.warning) : text)
}

/**
 * Log lines of Kafka's tools (`config/tools-log4j.properties`: WARN and above to stderr, pattern
 * `[%d] %p %m (%c)%n`, e.g. `[2024-10-25 10:00:00,123] ERROR ... (org.apache.kafka.tools.ConsoleProducer)`).
 */

/** log4j's default `%d`: `yyyy-MM-dd HH:mm:ss,SSS` in local time. */
export function log4jDate(d = new Date()): string {
  const p = (n: number, w = 2): string => String(n).padStart(w, '0')
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())},${p(d.getMilliseconds(), 3)}`
}

/** Writes `[date] LEVEL message (logger)` to stderr, plus an optional cause line. */
export function toolLog(level: 'ERROR' | 'WARN', message: string, logger: string, cause?: unknown): void {
  let line = `[${log4jDate()}] ${level} ${message} (${logger})\n`
  if (cause !== undefined) line += `${cause instanceof Error ? (cause.message ? `${cause.name}: ${cause.message}` : cause.name) : String(cause)}\n`
  process.stderr.write(line)
}

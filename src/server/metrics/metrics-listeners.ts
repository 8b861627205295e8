/**
 * `kts.metrics.listeners` (a kts key, off by default): where a node serves `/metrics` in the
 * Prometheus text format. A comma-separated list of `http://host:port` entries spelled like
 * Kafka's `listeners` (host optional = all interfaces, `[...]` for IPv6, port 0 = any free port),
 * e.g. `kts.metrics.listeners=http://:9404`.
 */
import type {ConfigValue} from '../config/config-def.js'

export const METRICS_LISTENERS_CONFIG = 'kts.metrics.listeners'

export interface MetricsListener {
  /** Bind host; '' = all interfaces. */
  host: string
  /** 0 = any free port (the bound port is logged). */
  port: number
}

const LISTENER = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/\[?([0-9a-zA-Z\-%._:]*?)\]?:(\d+)\/?$/

/**
 * Parses one entry. @throws Error whose message is the reason (the config layer adds the key and value)
 */
export function parseMetricsListener(entry: string): MetricsListener {
  const m = LISTENER.exec(entry.trim())
  if (!m) throw new Error(`Unable to parse ${entry} to a metrics listener (expected http://[host]:port)`)
  if (m[1].toLowerCase() !== 'http') throw new Error(`Metrics listener ${entry}: only http is supported`)
  const port = Number(m[3])
  if (port > 65535) throw new Error(`Metrics listener ${entry}: port ${port} is out of range`)
  return {host: m[2], port}
}

/** The parsed value of `kts.metrics.listeners` (a list). @throws Error for an unparsable entry */
export function parseMetricsListeners(value: ConfigValue): MetricsListener[] {
  const entries = Array.isArray(value) ? value : typeof value === 'string' && value !== '' ? value.split(',') : []
  return entries.map(parseMetricsListener)
}

/** ConfigDef validator of `kts.metrics.listeners`: null when valid, else the reason. */
export function validateMetricsListeners(value: ConfigValue): string | null {
  try {
    parseMetricsListeners(value)
    return null
  } catch (err) {
    return (err as Error).message
  }
}

/** `http://host:port/metrics` for a bound listener ('' host shown as the wildcard address). */
export function metricsUrl(host: string, port: number): string {
  const shown = host === '' ? '0.0.0.0' : host.includes(':') ? `[${host}]` : host
  return `http://${shown}:${port}/metrics`
}

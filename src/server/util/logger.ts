/**
 * Kafka-style logging: `[yyyy-MM-dd HH:mm:ss,SSS] LEVEL message (logger)` through log4js, INFO to
 * stdout by default (Kafka's config/log4j.properties). `KTS_LOG_LEVEL` overrides the level.
 */
import log4js from 'log4js'

export interface Logger {
  trace(msg: string): void
  debug(msg: string): void
  info(msg: string): void
  warn(msg: string): void
  error(msg: string, err?: unknown): void
  isDebugEnabled(): boolean
}

let configured = false

function configure(): void {
  if (configured) return
  configured = true
  log4js.configure({
    appenders: {
      out: {type: 'stdout', layout: {type: 'pattern', pattern: '[%d{yyyy-MM-dd hh:mm:ss,SSS}] %p %m (%c)'}},
    },
    categories: {default: {appenders: ['out'], level: process.env.KTS_LOG_LEVEL ?? 'info'}},
  })
}

/** A logger whose lines end with ` (<name>)`, e.g. `kafka.server.BrokerServer`; `prefix` starts each message. */
export function getLogger(name: string, prefix = ''): Logger {
  configure()
  const l = log4js.getLogger(name)
  return {
    trace: (m) => l.trace(prefix + m),
    debug: (m) => l.debug(prefix + m),
    info: (m) => l.info(prefix + m),
    warn: (m) => l.warn(prefix + m),
    error: (m, err) => (err === undefined ? l.error(prefix + m) : l.error(prefix + m, err)),
    isDebugEnabled: () => l.isDebugEnabled(),
  }
}

/** Flushes and closes log appenders (call at process exit). */
export function shutdownLogging(): Promise<void> {
  return new Promise((resolve) => log4js.shutdown(() => resolve()))
}

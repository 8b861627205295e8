/**
 * Kafka-style logging: `[yyyy-MM-dd HH:mm:ss,SSS] LEVEL message (logger)` through log4js, INFO to
 * stdout by default (Kafka's config/log4j.properties). `KTS_LOG_LEVEL` overrides the level;
 * `configureLogging()` adds a file (a daemon's `server.log`) or sets the level for an embedding process.
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

/** How log4js is set up; see `configureLogging`. */
export interface LoggingOptions {
  /** log4js level name (`off`, `error`, `warn`, `info`, `debug`, `trace`); default `KTS_LOG_LEVEL`, else `info`. */
  level?: string
  /** Also append every line to this file (Kafka's `$LOG_DIR/server.log`); default none. */
  file?: string
  /**
   * The process hosts nodes beside other work (`startKafka()` in-process): `shutdownLogging()`
   * then leaves logging configured, since a node's shutdown must not silence the host or other nodes.
   */
  embedded?: boolean
}

const PATTERN = '[%d{yyyy-MM-dd hh:mm:ss,SSS}] %p %m (%c)'
let configured = false
let embedded = false

function configure(opts: LoggingOptions = {}): void {
  configured = true
  embedded = opts.embedded ?? false
  const appenders: Record<string, log4js.Appender> = {out: {type: 'stdout', layout: {type: 'pattern', pattern: PATTERN}}}
  if (opts.file) appenders.file = {type: 'file', filename: opts.file, layout: {type: 'pattern', pattern: PATTERN}}
  log4js.configure({
    appenders,
    categories: {default: {appenders: Object.keys(appenders), level: opts.level ?? process.env.KTS_LOG_LEVEL ?? 'info'}},
  })
}

/**
 * (Re)configures logging now: stdout (Kafka's console appender), plus `file` when given. Call it
 * before the first `getLogger()` for the settings to apply from the first line; later calls
 * replace the settings for every logger, old ones included.
 */
export function configureLogging(opts: LoggingOptions = {}): void {
  configure(opts)
}

/** A logger whose lines end with ` (<name>)`, e.g. `kafka.server.BrokerServer`; `prefix` starts each message. */
export function getLogger(name: string, prefix = ''): Logger {
  if (!configured) configure()
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

/**
 * Flushes and closes log appenders (call at process exit). With `embedded` logging it does nothing
 * (other nodes or the host may still log); the next `getLogger()` after a real shutdown configures again.
 */
export function shutdownLogging(): Promise<void> {
  if (embedded) return Promise.resolve()
  configured = false
  return new Promise((resolve) => log4js.shutdown(() => resolve()))
}

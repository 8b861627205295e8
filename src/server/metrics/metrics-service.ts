/**
 * A node's metrics as the node wires them: the request-path hooks, the sources the gauges read,
 * and the HTTP listeners of `kts.metrics.listeners` serving `GET /metrics` (Prometheus text format
 * 0.0.4). Off by default: then the hooks are `NO_BROKER_METRICS` and prom-client is never loaded.
 *
 * The response is the node's registry (`node-metrics.ts`) followed by the Node.js process metrics
 * of prom-client's `collectDefaultMetrics` (event-loop lag, heap, GC, CPU, handles), which live in
 * one registry per process — they describe the process, and several in-process nodes share it.
 */
import http from 'node:http'
import type {Registry} from 'prom-client'
import type {ConfigValue} from '../config/config-def.js'
import type {Logger} from '../util/logger.js'
import {NO_BROKER_METRICS, type BrokerMetrics} from './broker-metrics.js'
import {METRICS_LISTENERS_CONFIG, metricsUrl, parseMetricsListeners, type MetricsListener} from './metrics-listeners.js'
import {NodeMetrics, type BrokerSources, type ControllerSources, type PromClient} from './node-metrics.js'

export interface NodeMetricsService {
  /** What the request path calls (BrokerServices.metrics). */
  readonly hooks: BrokerMetrics
  /** Hands the broker's live objects to the gauges (read at scrape time only). */
  bindBroker(sources: BrokerSources): void
  /** Hands the controller's live objects to the gauges. */
  bindController(sources: ControllerSources): void
  /**
   * Opens the listeners. Resolves to their `http://host:port/metrics` URLs (bound ports, also
   * when 0 was configured; empty when metrics are off).
   * @throws Error (one line naming the listener) when a port is in use or cannot be bound
   */
  start(): Promise<string[]>
  /** Closes the listeners (open scrapes are cut). Idempotent. */
  stop(): Promise<void>
}

/** Metrics off: no-op hooks, nothing bound, no listener, prom-client never loaded. */
export const NO_NODE_METRICS: NodeMetricsService = {
  hooks: NO_BROKER_METRICS,
  bindBroker() {},
  bindController() {},
  start: () => Promise.resolve([]),
  stop: () => Promise.resolve(),
}

let processRegistry: Registry | null = null

/** The process-wide registry of prom-client's default Node.js metrics (created once). */
function processMetrics(prom: PromClient): Registry {
  if (processRegistry === null) {
    processRegistry = new prom.Registry()
    prom.collectDefaultMetrics({register: processRegistry})
  }
  return processRegistry
}

/**
 * The metrics of one node from its config (`kts.metrics.listeners`).
 * @param config anything with the parsed-config `get` of ServerConfig
 * @throws Error for an unparsable `kts.metrics.listeners` (normally caught when the config is loaded)
 */
export async function createNodeMetrics(config: {get(name: string): ConfigValue}, logger: Logger): Promise<NodeMetricsService> {
  const listeners = parseMetricsListeners(config.get(METRICS_LISTENERS_CONFIG))
  if (listeners.length === 0) return NO_NODE_METRICS
  const prom = await import('prom-client')
  const metrics = new NodeMetrics(prom)
  const nodejs = processMetrics(prom)
  const scrape = async (): Promise<string> => `${await metrics.registry.metrics()}\n${await nodejs.metrics()}`
  const servers: http.Server[] = []

  const stop = async (): Promise<void> => {
    const closing = servers.splice(0).map((s) => new Promise<void>((resolve) => {
      s.close(() => resolve())
      s.closeAllConnections()
    }))
    await Promise.all(closing)
  }

  return {
    hooks: metrics,
    bindBroker: (s) => metrics.bindBroker(s),
    bindController: (s) => metrics.bindController(s),
    async start() {
      const urls: string[] = []
      try {
        for (const l of listeners) {
          const server = http.createServer((req, res) => serve(req, res, scrape, metrics.registry.contentType, logger))
          servers.push(server)
          const port = await listen(server, l)
          const url = metricsUrl(l.host, port)
          logger.info(`Metrics listener started on ${url}`)
          urls.push(url)
        }
      } catch (err) {
        await stop()
        throw err
      }
      return urls
    },
    stop,
  }
}

/** Binds `server`; resolves to the bound port. @throws Error one line (Kafka's "Socket server failed to bind" wording) */
function listen(server: http.Server, l: MetricsListener): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException): void => {
      const where = `${l.host === '' ? '0.0.0.0' : l.host}:${l.port}`
      const reason = err.code === 'EADDRINUSE' ? 'Address already in use' : err.message
      reject(new Error(`Metrics listener (${METRICS_LISTENERS_CONFIG}) failed to bind to ${where}: ${reason}.`))
    }
    server.once('error', onError)
    server.listen({port: l.port, host: l.host === '' ? undefined : l.host}, () => {
      server.off('error', onError)
      const addr = server.address()
      resolve(addr !== null && typeof addr === 'object' ? addr.port : l.port)
    })
  })
}

function serve(req: http.IncomingMessage, res: http.ServerResponse, scrape: () => Promise<string>, contentType: string, logger: Logger): void {
  const path = (req.url ?? '/').split('?')[0]
  if (path !== '/metrics') {
    res.writeHead(404, {'content-type': 'text/plain; charset=utf-8'}).end('Not found: metrics are served at /metrics\n')
    return
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, {'content-type': 'text/plain; charset=utf-8', allow: 'GET, HEAD'}).end('Method not allowed\n')
    return
  }
  scrape().then(
    (text) => {
      res.writeHead(200, {'content-type': contentType})
      res.end(req.method === 'HEAD' ? undefined : text)
    },
    (err: unknown) => {
      logger.error('Error collecting metrics', err)
      res.writeHead(500, {'content-type': 'text/plain; charset=utf-8'}).end('Error collecting metrics\n')
    },
  )
}

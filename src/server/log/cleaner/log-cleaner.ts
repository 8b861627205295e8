/**
 * The log cleaner (Kafka `LogCleaner`): `log.cleaner.threads` workers, each repeatedly cleaning the
 * filthiest compacted log (LogCleanerManager) and sleeping `log.cleaner.backoff.ms` when there is
 * none. Each worker is a loop on the event loop that picks the log, swaps the cleaned segments in
 * and checkpoints, plus a `worker_threads` thread of its own (started with its first pass) that
 * reads, deduplicates, filters, writes and fsyncs (`cleaner.ts`); the threads share one dedupe
 * budget (`log.cleaner.dedupe.buffer.size`, split between them) and one I/O throttle
 * (`log.cleaner.io.max.bytes.per.second`, in shared memory).
 *
 * `wakeup()` makes sleeping workers look again (a topic became compacted, a test wants a pass now);
 * `reconfigure()` applies new cleaner configs (the dynamic broker configs Kafka allows:
 * log.cleaner.threads, dedupe buffer, io buffer, io max bytes/s, backoff) by restarting the workers
 * and their threads. `shutdown()` aborts passes in progress and terminates the threads.
 */
import type {LogLogger} from '../log-config.js'
import {tpKey} from '../log-config.js'
import type {UnifiedLog} from '../unified-log.js'
import {Cleaner, type CleanerStats} from './cleaner.js'
import {LogCleanerManager} from './cleaner-manager.js'
import {Throttler, createThrottleState} from './throttler.js'

/** The broker's `log.cleaner.*` settings (Kafka `CleanerConfig`). */
export interface CleanerConfig {
  /** log.cleaner.enable (true) */
  enable: boolean
  /** log.cleaner.threads (1) */
  numThreads: number
  /** log.cleaner.dedupe.buffer.size (134217728 bytes), shared by all threads */
  dedupeBufferSize: number
  /** log.cleaner.io.buffer.size (524288 bytes) */
  ioBufferSize: number
  /** log.cleaner.io.buffer.load.factor (0.9) */
  dedupeBufferLoadFactor: number
  /** log.cleaner.io.max.bytes.per.second (Double.MAX_VALUE = unlimited) */
  maxIoBytesPerSecond: number
  /** log.cleaner.backoff.ms (15000) */
  backoffMs: number
}

export const DEFAULT_CLEANER_CONFIG: CleanerConfig = {
  enable: true, numThreads: 1, dedupeBufferSize: 134217728, ioBufferSize: 524288, dedupeBufferLoadFactor: 0.9,
  maxIoBytesPerSecond: Number.MAX_VALUE, backoffMs: 15000,
}

/** The cleaner settings of a broker config (`get(key)` returns the parsed value of a `log.cleaner.*` key). */
export function cleanerConfigFrom(config: {get(key: string): unknown}): CleanerConfig {
  const num = (key: string, dflt: number): number => {
    const v = config.get(key)
    return typeof v === 'number' ? v : dflt
  }
  const enable = config.get('log.cleaner.enable')
  const d = DEFAULT_CLEANER_CONFIG
  return {
    enable: typeof enable === 'boolean' ? enable : d.enable,
    numThreads: num('log.cleaner.threads', d.numThreads),
    dedupeBufferSize: num('log.cleaner.dedupe.buffer.size', d.dedupeBufferSize),
    ioBufferSize: num('log.cleaner.io.buffer.size', d.ioBufferSize),
    dedupeBufferLoadFactor: num('log.cleaner.io.buffer.load.factor', d.dedupeBufferLoadFactor),
    maxIoBytesPerSecond: num('log.cleaner.io.max.bytes.per.second', d.maxIoBytesPerSecond),
    backoffMs: num('log.cleaner.backoff.ms', d.backoffMs),
  }
}

export interface LogCleanerOptions {
  config: CleanerConfig
  logDirs: readonly string[]
  logs: () => readonly UnifiedLog[]
  lastStableOffsetOf: (log: UnifiedLog) => number
  logger?: LogLogger
  /** Test hook: pause after a cleaned segment is renamed `.swap` (env KTS_CLEANER_PAUSE_AFTER_SWAP_MS). */
  pauseAfterSwapMs?: number
  now?: () => number
}

/**
 * The cleaner's gauges (Kafka `LogCleaner` / `LogCleanerManager` metrics): from the last finished
 * pass of each thread, the dirtiest log of the last selection, the uncleanable logs per log dir.
 */
export interface LogCleanerMetrics {
  /** max-buffer-utilization-percent: the fullest offset map of the threads' last passes (0-100). */
  maxBufferUtilizationPercent: number
  /** cleaner-recopy-percent: bytes written / bytes read of the threads' last passes, averaged (0-100). */
  cleanerRecopyPercent: number
  /** max-clean-time-secs: the longest of the threads' last passes (s). */
  maxCleanTimeSecs: number
  /** DeadThreadCount: cleaner threads that stopped on an error. */
  deadThreadCount: number
  /** max-dirty-percent: the largest dirty ratio of the last selection (0-100). */
  maxDirtyPercent: number
  /** time-since-last-run-ms: since a thread last looked for a log (ms; 0 before the first look). */
  timeSinceLastRunMs: number
  /** uncleanable-partitions-count and uncleanable-bytes per log dir. */
  uncleanable: ReadonlyMap<string, {partitions: number, bytes: number}>
}

/** Totals since start (bench, metrics). */
export interface LogCleanerTotals {
  passes: number
  bytesRead: number
  bytesWritten: number
  recordsRead: number
  recordsRetained: number
  elapsedMs: number
}

export class LogCleaner {
  readonly manager: LogCleanerManager
  config: CleanerConfig
  readonly totals: LogCleanerTotals = {passes: 0, bytesRead: 0, bytesWritten: 0, recordsRead: 0, recordsRetained: 0, elapsedMs: 0}
  /** Shared by the cleaner threads; this view sets the cap. */
  private readonly throttleState: SharedArrayBuffer
  private readonly throttler: Throttler
  /** One per thread id, created on first use (each owns a worker thread). */
  private cleaners: Cleaner[] = []
  private workers: Promise<void>[] = []
  /** True while the workers run. */
  private running = false
  /** True while shutting down: passes in progress abort. */
  private stopping = false
  private generation = 0
  private wakers = new Set<() => void>()
  private readonly now: () => number
  /** The last finished pass of each thread id (metrics). */
  private readonly lastStats = new Map<number, CleanerStats>()
  /** Listeners told after each finished pass (tests wait on them). */
  private readonly passListeners = new Set<(log: UnifiedLog, stats: CleanerStats) => void>()

  constructor(private readonly o: LogCleanerOptions) {
    this.config = o.config
    this.now = o.now ?? Date.now
    this.manager = new LogCleanerManager({logDirs: o.logDirs, logs: o.logs, lastStableOffsetOf: o.lastStableOffsetOf, logger: o.logger})
    this.throttleState = createThrottleState(o.config.maxIoBytesPerSecond)
    this.throttler = new Throttler(this.throttleState)
  }

  /** Starts the workers (no-op when log.cleaner.enable=false or log.cleaner.threads=0). */
  startup(): void {
    if (this.running) return
    this.running = true
    this.stopping = false
    if (!this.config.enable || this.config.numThreads <= 0) return
    const gen = ++this.generation
    for (let i = 0; i < this.config.numThreads; i++) this.workers.push(this.runWorker(i, gen))
  }

  /**
   * Stops the workers and terminates their threads; a pass in progress aborts at its next chunk
   * and its `.cleaned` files are removed.
   */
  async shutdown(): Promise<void> {
    this.stopping = true
    this.running = false
    this.generation++
    this.wakeup()
    for (const c of this.cleaners) c.abort()
    const ws = this.workers
    this.workers = []
    await Promise.all(ws)
    const cs = this.cleaners
    this.cleaners = []
    await Promise.all(cs.map(c => c.close()))
  }

  /** Applies new cleaner settings, restarting the workers (Kafka `LogCleaner.reconfigure`). */
  async reconfigure(config: Partial<CleanerConfig>): Promise<void> {
    const running = this.running
    await this.shutdown()
    this.config = {...this.config, ...config}
    this.throttler.maxBytesPerSecond = this.config.maxIoBytesPerSecond
    if (running) this.startup()
  }

  /** Makes sleeping workers look for work now (e.g. after cleanup.policy became compact). */
  wakeup(): void {
    const ws = [...this.wakers]
    this.wakers.clear()
    for (const w of ws) w()
  }

  /** Called after every finished pass; returns an unsubscribe function. */
  onPass(fn: (log: UnifiedLog, stats: CleanerStats) => void): () => void {
    this.passListeners.add(fn)
    return () => this.passListeners.delete(fn)
  }

  /**
   * Cleans the filthiest log once with a cleaner of its own (tests, bench, and the workers).
   * Returns null when no log needs cleaning.
   */
  async cleanFilthiestLog(cleaner = this.cleanerFor(0)): Promise<{log: UnifiedLog, stats: CleanerStats} | null> {
    const ltc = this.manager.grabFilthiestCompactedLog(this.now())
    if (!ltc) return null
    const {log} = ltc
    const name = tpKey(log.topicPartition)
    let stats: CleanerStats
    try {
      stats = await cleaner.clean(ltc)
    } catch (e) {
      this.manager.abortCleaning(log, !log.isClosed)
      if (!log.isClosed) this.o.logger?.warn(`Cleaner ${cleaner.id}: error cleaning ${name}, marking it uncleanable: ${(e as Error).message}`)
      return {log, stats: {bytesRead: 0, bytesWritten: 0, recordsRead: 0, recordsRetained: 0, endOffset: ltc.firstDirtyOffset, mapEntries: 0, mapCapacity: 0, elapsedMs: 0, aborted: true}}
    }
    if (stats.aborted) {
      this.manager.abortCleaning(log)
    } else {
      this.manager.doneCleaning(log, stats.endOffset)
      this.lastStats.set(cleaner.id, stats)
      const t = this.totals
      t.passes++; t.bytesRead += stats.bytesRead; t.bytesWritten += stats.bytesWritten
      t.recordsRead += stats.recordsRead; t.recordsRetained += stats.recordsRetained; t.elapsedMs += stats.elapsedMs
      const mb = (n: number): string => (n / 1048576).toFixed(1)
      this.o.logger?.info(`Cleaner ${cleaner.id}: cleaned log ${name} (dirty section = [${ltc.firstDirtyOffset}, ${stats.endOffset}]): ` +
        `${mb(stats.bytesRead)} MB read, ${mb(stats.bytesWritten)} MB written in ${(stats.elapsedMs / 1000).toFixed(1)} s, ` +
        `${stats.recordsRead} records read, ${stats.recordsRetained} retained`)
    }
    for (const fn of this.passListeners) fn(log, stats)
    return {log, stats}
  }

  /** The gauges at this moment (read at scrape time). */
  metricsSnapshot(): LogCleanerMetrics {
    const last = [...this.lastStats.values()]
    const lastRun = this.manager.timeOfLastRunMs
    return {
      maxBufferUtilizationPercent: Math.floor(100 * Math.max(0, ...last.map(s => (s.mapCapacity > 0 ? s.mapEntries / s.mapCapacity : 0)))),
      cleanerRecopyPercent: last.length === 0 ? 0 : Math.floor(100 * last.reduce((a, s) => a + s.bytesWritten / Math.max(s.bytesRead, 1), 0) / last.length),
      maxCleanTimeSecs: Math.floor(Math.max(0, ...last.map(s => s.elapsedMs)) / 1000),
      deadThreadCount: 0,
      maxDirtyPercent: Math.floor(100 * this.manager.dirtiestRatio),
      timeSinceLastRunMs: lastRun < 0 ? 0 : Math.max(0, this.now() - lastRun),
      uncleanable: this.manager.uncleanableByDir(),
    }
  }

  /** The cleaner of thread `id` (created with the current config; shutdown() drops them). */
  private cleanerFor(id: number): Cleaner {
    return (this.cleaners[id] ??= new Cleaner(id, {
      dedupeBufferBytes: Math.floor(this.config.dedupeBufferSize / Math.max(1, this.config.numThreads)),
      loadFactor: this.config.dedupeBufferLoadFactor,
      ioBufferSize: this.config.ioBufferSize,
      throttle: this.throttleState,
      isStopped: () => this.stopping,
      logger: this.o.logger,
      now: this.now,
      pauseAfterSwapMs: this.o.pauseAfterSwapMs,
    }))
  }

  private async runWorker(id: number, gen: number): Promise<void> {
    const cleaner = this.cleanerFor(id)
    while (gen === this.generation) {
      let cleaned = false
      try {
        cleaned = (await this.cleanFilthiestLog(cleaner)) !== null
      } catch (e) {
        this.o.logger?.warn(`Cleaner ${id}: ${(e as Error).message}`)
      }
      if (gen !== this.generation) break
      if (!cleaned) await this.sleep(this.config.backoffMs)
      else await new Promise<void>(resolve => setImmediate(resolve))
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise(resolve => {
      const done = (): void => { clearTimeout(t); this.wakers.delete(done); resolve() }
      const t = setTimeout(done, ms)
      t.unref()
      this.wakers.add(done)
    })
  }
}

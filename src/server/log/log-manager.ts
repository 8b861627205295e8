/**
 * Owns `log.dirs` (Kafka `LogManager`, spec §3.1, §3.5, §3.9): loads every partition directory,
 * creates/deletes logs, writes recovery-point / log-start-offset / replication-offset checkpoints
 * and the `.kafka_cleanshutdown` marker. While the broker serves, checkpoints are written on libuv's
 * thread pool (`checkpointAsync`); start-up and clean shutdown write synchronously, shutdown only
 * once the async writes in flight are done.
 */
import fs from 'node:fs'
import path from 'node:path'
import {readOffsetCheckpoint, writeOffsetCheckpoint, writeOffsetCheckpointAsync} from './checkpoint-file.js'
import {awaitFileWrites} from './atomic-file-writer.js'
import {DEFAULT_LOG_CONFIG, tpKey, type LogConfig, type LogLogger, type TopicPartition} from './log-config.js'
import {UnifiedLog, type UnifiedLogOpenOptions} from './unified-log.js'
import {writePartitionMetadata} from './partition-metadata.js'
import type {LogCleaner} from './cleaner/log-cleaner.js'

export const RECOVERY_POINT_CHECKPOINT_FILE = 'recovery-point-offset-checkpoint'
export const LOG_START_OFFSET_CHECKPOINT_FILE = 'log-start-offset-checkpoint'
export const REPLICATION_OFFSET_CHECKPOINT_FILE = 'replication-offset-checkpoint'
export const CLEAN_SHUTDOWN_FILE = '.kafka_cleanshutdown'
export const METADATA_LOG_DIR_NAME = '__cluster_metadata-0'

/** Parses `<topic>-<partition>` from the last '-'; null for -delete/-future/-stray or bad names. */
export function parseTopicPartitionName(name: string): TopicPartition | null {
  if (name.endsWith('-delete') || name.endsWith('-future') || name.endsWith('-stray')) return null
  const i = name.lastIndexOf('-')
  if (i <= 0) return null
  const partStr = name.slice(i + 1)
  if (!/^\d+$/.test(partStr)) return null
  return {topic: name.slice(0, i), partition: Number(partStr)}
}

/** Which checkpoint files to write. */
export interface CheckpointSelection {
  /** `recovery-point-offset-checkpoint` (Kafka: every log.flush.offset.checkpoint.interval.ms). */
  recoveryPoints?: boolean
  /** `log-start-offset-checkpoint` (Kafka: every log.flush.start.offset.checkpoint.interval.ms). */
  logStartOffsets?: boolean
  /** `replication-offset-checkpoint` with these high watermarks by `<topic>-<partition>` (every replica.high.watermark.checkpoint.interval.ms). */
  highWatermarks?: ReadonlyMap<string, number>
}

/** What `startup` loads from one log dir. */
interface DirLoadPlan {
  dir: string
  /** The `.kafka_cleanshutdown` file. */
  marker: string
  clean: boolean
  logs: Array<{dir: string, tp: TopicPartition, recoveryPoint: number, logStartOffset?: number}>
  /** Settles once the `-delete` directories found are removed (a failure is logged). */
  removals: Promise<void>
}

/**
 * Runs `fn` over `items`, at most `limit` at a time, in order of start. After a failure no further
 * item starts; resolves once the started ones settled, rejecting with the first failure.
 */
async function runBounded<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0
  let failure: {error: unknown} | undefined
  const worker = async (): Promise<void> => {
    while (failure === undefined && next < items.length) {
      const item = items[next++]
      try {
        await fn(item)
      } catch (error) {
        failure ??= {error}
      }
    }
  }
  await Promise.all(Array.from({length: Math.min(limit, items.length)}, worker))
  if (failure !== undefined) throw failure.error
}

export class LogManager {
  readonly logDirs: string[]
  defaultConfig: LogConfig
  private readonly logger?: LogLogger
  private readonly logs = new Map<string, UnifiedLog>()
  /** Per-topic config overrides used when opening logs at startup. */
  configFor?: (tp: TopicPartition) => LogConfig | undefined
  /** The log cleaner of compacted logs, once started (config changes call its `wakeup()` / `reconfigure()`). */
  cleaner?: LogCleaner
  /** Partition logs queue their file I/O off the event loop (the broker); synchronous otherwise (tools, simulations). */
  private readonly asyncIo: boolean

  constructor(opts: {logDirs: string[], defaultConfig?: LogConfig, logger?: LogLogger, asyncIo?: boolean}) {
    this.logDirs = opts.logDirs
    this.defaultConfig = opts.defaultConfig ?? DEFAULT_LOG_CONFIG
    this.logger = opts.logger
    this.asyncIo = opts.asyncIo ?? false
  }

  /**
   * Loads all logs of all dirs (recovering after an unclean shutdown) off the event loop (Kafka
   * `LogManager.loadLogs`): the dirs in parallel, at most `recoveryThreadsPerDataDir` logs of a dir
   * at a time (`num.recovery.threads.per.data.dir`, Kafka's default 2), each with
   * `UnifiedLog.openAsync`. The `.kafka_cleanshutdown` marker of a dir is removed once its logs loaded.
   * Rejects with one readable error if a dir cannot be created/read, two dirs hold the same
   * partition, or a log fails to load (no further log starts loading then; those loading finish first).
   */
  async startup(opts: {recoveryThreadsPerDataDir?: number} = {}): Promise<void> {
    const limit = Math.max(1, opts.recoveryThreadsPerDataDir ?? 2)
    const plans = await Promise.all(this.logDirs.map(async dir => {
      await fs.promises.mkdir(dir, {recursive: true})
      const entries = await fs.promises.readdir(dir, {withFileTypes: true})
      return this.planDirLoad(dir, entries, name => fs.promises.rm(path.join(dir, name), {recursive: true, force: true}))
    }))
    this.checkNoDuplicates(plans)
    await Promise.all(plans.map(async plan => {
      await runBounded(plan.logs, limit, async l => {
        const log = await UnifiedLog.openAsync(this.openOptions(l, plan.clean))
        this.logs.set(tpKey(l.tp), log)
      })
      await plan.removals
      if (plan.clean) await fs.promises.rm(plan.marker, {force: true})
      this.logLoaded(plan)
    }))
  }

  /** As `startup`, synchronously, one log after another (tools, tests, deterministic simulations). Throws as `startup` rejects. */
  startupSync(): void {
    const plans = this.logDirs.map(dir => {
      fs.mkdirSync(dir, {recursive: true})
      return this.planDirLoad(dir, fs.readdirSync(dir, {withFileTypes: true}), name => fs.rmSync(path.join(dir, name), {recursive: true, force: true}))
    })
    this.checkNoDuplicates(plans)
    for (const plan of plans) {
      for (const l of plan.logs) this.logs.set(tpKey(l.tp), UnifiedLog.open(this.openOptions(l, plan.clean)))
      if (plan.clean) fs.rmSync(plan.marker, {force: true})
      this.logLoaded(plan)
    }
  }

  /** The logs of one dir to load (partition directories), its shutdown marker and checkpoints; `-delete` dirs removed. */
  private planDirLoad(dir: string, entries: fs.Dirent[], removeDir: (name: string) => unknown): DirLoadPlan {
    const marker = path.join(dir, CLEAN_SHUTDOWN_FILE)
    const recoveryPoints = readOffsetCheckpoint(path.join(dir, RECOVERY_POINT_CHECKPOINT_FILE))
    const startOffsets = readOffsetCheckpoint(path.join(dir, LOG_START_OFFSET_CHECKPOINT_FILE))
    const logs: DirLoadPlan['logs'] = []
    const removals: unknown[] = []
    for (const e of entries) {
      const name = e.name
      if (name === METADATA_LOG_DIR_NAME) continue
      const full = path.join(dir, name)
      if (!e.isDirectory() && !(e.isSymbolicLink() && fs.statSync(full).isDirectory())) continue
      if (name.endsWith('-delete')) { removals.push(removeDir(name)); continue }
      const tp = parseTopicPartitionName(name)
      if (!tp) continue
      const key = tpKey(tp)
      logs.push({dir: full, tp, recoveryPoint: recoveryPoints.get(key)?.offset ?? 0, logStartOffset: startOffsets.get(key)?.offset})
    }
    const done = Promise.all(removals).then(() => undefined, (err: unknown) => this.logger?.warn(`Could not remove a deleted log in ${dir}: ${(err as Error).message}`))
    return {dir, marker, clean: fs.existsSync(marker), logs, removals: done}
  }

  private checkNoDuplicates(plans: readonly DirLoadPlan[]): void {
    const seen = new Map<string, string>()
    for (const l of this.logs.values()) seen.set(tpKey(l.topicPartition), l.dir)
    for (const plan of plans) {
      for (const l of plan.logs) {
        const key = tpKey(l.tp)
        const other = seen.get(key)
        if (other !== undefined) throw new Error(`Duplicate log directories for ${key}: ${other} and ${l.dir}`)
        seen.set(key, l.dir)
      }
    }
  }

  private openOptions(l: DirLoadPlan['logs'][number], clean: boolean): UnifiedLogOpenOptions {
    return {dir: l.dir, topicPartition: l.tp, config: this.configFor?.(l.tp) ?? this.defaultConfig, recoveryPoint: l.recoveryPoint,
      logStartOffset: l.logStartOffset, hadCleanShutdown: clean, logger: this.logger, asyncIo: this.asyncIo}
  }

  private logLoaded(plan: DirLoadPlan): void {
    const n = plan.logs.length
    this.logger?.info(`Loaded ${n} logs from ${plan.dir}${n > 0 ? ` (${plan.clean ? 'clean' : 'unclean'} shutdown)` : ''}`)
  }

  getLog(tp: TopicPartition): UnifiedLog | undefined { return this.logs.get(tpKey(tp)) }
  allLogs(): UnifiedLog[] { return [...this.logs.values()] }

  /** Returns the existing log or creates `<dir>/<topic>-<partition>` in the dir with the fewest logs; writes partition.metadata. */
  getOrCreateLog(tp: TopicPartition, topicId: string, config?: LogConfig): UnifiedLog {
    const existing = this.getLog(tp)
    if (existing) {
      if (config) existing.config = config
      if (existing.topicId === undefined) { writePartitionMetadata(existing.dir, topicId); existing.topicId = topicId }
      return existing
    }
    const dir = this.logDirs.length === 1 ? this.logDirs[0] : this.leastLoadedDir()
    const log = UnifiedLog.open({dir: path.join(dir, tpKey(tp)), topicPartition: tp, config: config ?? this.defaultConfig,
      recoveryPoint: 0, hadCleanShutdown: true, topicId, logger: this.logger, asyncIo: this.asyncIo})
    this.logs.set(tpKey(tp), log)
    return log
  }

  /** The log dir holding the fewest partition logs (one pass over the logs). */
  private leastLoadedDir(): string {
    const counts = new Map(this.logDirs.map(d => [path.resolve(d), 0]))
    for (const l of this.logs.values()) {
      const d = path.dirname(l.dir)
      counts.set(d, (counts.get(d) ?? 0) + 1)
    }
    let best = this.logDirs[0]
    for (const d of this.logDirs) if ((counts.get(path.resolve(d)) ?? 0) < (counts.get(path.resolve(best)) ?? 0)) best = d
    return best
  }

  /**
   * Closes and removes a partition's log: its directory is renamed to `-delete` at once, the
   * recursive removal runs on the thread pool (failures are logged). Resolves when it is gone.
   */
  deleteLog(tp: TopicPartition): Promise<void> {
    const log = this.logs.get(tpKey(tp))
    if (!log) return Promise.resolve()
    this.logs.delete(tpKey(tp))
    return log.delete().catch((e: unknown) => this.logger?.warn(`Failed to remove the directory of ${tpKey(tp)}: ${(e as Error).message}`))
  }

  /**
   * The checkpoint files of each log dir and their entries at this moment: recovery points, log
   * start offsets above the first segment's base offset, high watermarks (those selected).
   */
  private checkpointEntries(what: CheckpointSelection): Array<{file: string, entries: Array<{topic: string, partition: number, offset: number}>}> {
    const out: Array<{file: string, entries: Array<{topic: string, partition: number, offset: number}>}> = []
    const byDir = new Map<string, UnifiedLog[]>(this.logDirs.map(d => [path.resolve(d), []]))
    for (const l of this.logs.values()) byDir.get(path.resolve(path.dirname(l.dir)))?.push(l)
    const hw = what.highWatermarks
    for (const dir of this.logDirs) {
      const logs = byDir.get(path.resolve(dir)) ?? []
      if (what.recoveryPoints) out.push({file: path.join(dir, RECOVERY_POINT_CHECKPOINT_FILE), entries: logs.map(l => ({...l.topicPartition, offset: l.recoveryPoint}))})
      if (what.logStartOffsets) {
        out.push({file: path.join(dir, LOG_START_OFFSET_CHECKPOINT_FILE),
          entries: logs.filter(l => l.logStartOffset > (l.segmentBaseOffsets()[0] ?? 0)).map(l => ({...l.topicPartition, offset: l.logStartOffset}))})
      }
      if (hw) {
        out.push({file: path.join(dir, REPLICATION_OFFSET_CHECKPOINT_FILE),
          entries: logs.filter(l => hw.has(tpKey(l.topicPartition))).map(l => ({...l.topicPartition, offset: hw.get(tpKey(l.topicPartition))!}))})
      }
    }
    return out
  }

  /** Writes all checkpoints synchronously (start-up, shutdown, tests); high watermarks when given. Throws the fs error. */
  checkpoint(highWatermarks?: ReadonlyMap<string, number>): void {
    for (const {file, entries} of this.checkpointEntries({recoveryPoints: true, logStartOffsets: true, highWatermarks})) writeOffsetCheckpoint(file, entries)
  }

  /**
   * Writes the selected checkpoints (all but high watermarks when omitted) on the thread pool, as
   * the periodic tasks do while serving: the entries are taken now, each file is written after its
   * previous write and coalesced with later ones. Resolves when all are in place; rejects with the
   * first fs error (that file keeps its previous content).
   */
  async checkpointAsync(what: CheckpointSelection = {recoveryPoints: true, logStartOffsets: true}): Promise<void> {
    await Promise.all(this.checkpointEntries(what).map(({file, entries}) => writeOffsetCheckpointAsync(file, entries)))
  }

  cleanupLogs(nowMs: number, highWatermarkOf: (tp: TopicPartition) => number): void {
    for (const log of this.allLogs()) {
      try {
        const n = log.deleteOldSegments(nowMs, highWatermarkOf(log.topicPartition))
        if (n > 0) this.logger?.info(`Deleted ${n} segment(s) of ${tpKey(log.topicPartition)} by retention; log start offset ${log.logStartOffset}`)
      } catch (e) {
        this.logger?.warn(`Retention failed for ${tpKey(log.topicPartition)}: ${(e as Error).message}`)
      }
    }
  }

  /**
   * Clean shutdown: waits for every log's queued writes and for the async file writes in flight
   * under the log dirs (checkpoints, producer snapshots, leader-epoch checkpoints), then flushes,
   * checkpoints and closes synchronously and writes `.kafka_cleanshutdown` last. Synchronous
   * throughout when no log queues I/O.
   */
  async shutdown(brokerEpoch = -1): Promise<void> {
    for (const log of this.allLogs()) {
      while (!log.useSyncIo()) await log.whenIoDone().catch(() => undefined)
    }
    await awaitFileWrites(this.logDirs)
    for (const log of this.allLogs()) if (!log.isClosed) log.flush()
    this.checkpoint()
    for (const log of this.allLogs()) log.close()
    for (const dir of this.logDirs) {
      fs.writeFileSync(path.join(dir, CLEAN_SHUTDOWN_FILE), JSON.stringify({version: 0, brokerEpoch}))
    }
  }

  readHighWatermarks(): Map<string, number> {
    const m = new Map<string, number>()
    for (const dir of this.logDirs) for (const [k, v] of readOffsetCheckpoint(path.join(dir, REPLICATION_OFFSET_CHECKPOINT_FILE))) m.set(k, v.offset)
    return m
  }
}

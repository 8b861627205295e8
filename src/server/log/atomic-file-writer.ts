/**
 * Replaces small whole files (checkpoints, producer snapshots) atomically off the event loop, one
 * writer per file: the new content goes to `<file>.tmp` (opened 'w', written, fsynced), which is
 * renamed over `<file>`, then the directory is fsynced (Kafka `CheckpointFile.write`,
 * `Utils.atomicMoveWithFallback`), every step on libuv's thread pool through `fs.promises`.
 *
 * Per file the writes are serialized and coalesced: while one is in flight, further `write()`s only
 * replace the pending content, and once the in-flight one is done the latest content is written
 * once (its callers all resolve then). So two writes of a file never interleave, the newest content
 * always lands last, and a crash leaves the old or the new file, never a torn one (a torn `.tmp` is
 * ignored by readers and removed by the log loader).
 *
 * `writeSync()` (start-up, shutdown, tools, rare serve-path writes such as a leader-epoch
 * assignment) is safe while an async write of the same file is in flight: it uses `<file>.sync.tmp`
 * and makes the in-flight write skip its rename when the sync content is at least as durable;
 * otherwise its content is written again after the in-flight one, so the newest content still lands
 * last. `discard()` (the file is being deleted) drops the pending content and removes whatever the
 * in-flight write renames into place.
 *
 * `atomicFileWriter(file)` returns the process-wide writer of a path (kept while busy, forgotten
 * when idle: call it for each write rather than keeping the writer); `awaitFileWrites(dirs)` waits
 * for every write under `dirs` (clean shutdown).
 */
import fsp from 'node:fs/promises'
import fs from 'node:fs'
import path from 'node:path'

/** File operations of a writer (the real ones use `fs.promises`; tests inject failures to simulate crashes). */
export interface AtomicFileOps {
  /** Creates/truncates `tmp` and writes `data` (then fsyncs it when `fsync`). */
  writeFile(tmp: string, data: string | Buffer, fsync: boolean): Promise<void>
  rename(from: string, to: string): Promise<void>
  /** fsyncs a directory; filesystems refusing directory fsync are ignored (as Kafka does). */
  fsyncDir(dir: string): Promise<void>
  /** Removes a file; a missing file is fine. */
  remove(file: string): Promise<void>
}

export const promiseFileOps: AtomicFileOps = {
  async writeFile(tmp, data, fsync) {
    const fh = await fsp.open(tmp, 'w')
    try {
      await fh.writeFile(data)
      if (fsync) await fh.sync()
    } finally {
      await fh.close()
    }
  },
  rename: (from, to) => fsp.rename(from, to),
  async fsyncDir(dir) {
    let fh: fsp.FileHandle | undefined
    try {
      fh = await fsp.open(dir, 'r')
      await fh.sync()
    } catch {
      // some filesystems refuse directory fsync; Kafka ignores that too
    } finally {
      await fh?.close().catch(() => undefined)
    }
  },
  remove: (file) => fsp.rm(file, {force: true}),
}

/** Writes `data` to `tmp`, (fsyncs,) renames it over `file` (and fsyncs the directory), synchronously. */
export function atomicWriteFileSync(file: string, tmp: string, data: string | Buffer, fsync: boolean): void {
  if (!fsync) {
    fs.writeFileSync(tmp, data)
    fs.renameSync(tmp, file)
    return
  }
  const fd = fs.openSync(tmp, 'w')
  try {
    fs.writeFileSync(fd, data)
    fs.fsyncSync(fd)
  } finally {
    fs.closeSync(fd)
  }
  fs.renameSync(tmp, file)
  fsyncDirSync(path.dirname(file))
}

/** fsyncs a directory, ignoring filesystems that refuse it (Kafka `Utils.flushDir`). */
export function fsyncDirSync(dir: string): void {
  let fd: number | undefined
  try {
    fd = fs.openSync(dir, 'r')
    fs.fsyncSync(fd)
  } catch {
    // some filesystems refuse directory fsync; Kafka ignores that too
  } finally {
    if (fd !== undefined) fs.closeSync(fd)
  }
}

interface Waiter { resolve: () => void, reject: (e: unknown) => void }
interface Job {
  data: string | Buffer
  fsync: boolean
  /** Settles before the write may start (data the content describes being written first). */
  after?: Promise<unknown>
  waiters: Waiter[]
  /** Only re-lands content a `writeSync` already wrote (dropped when the in-flight write stood aside). */
  rewriteOnly: boolean
}

export class AtomicFileWriter {
  readonly tmpFile: string
  readonly syncTmpFile: string
  private running = false
  private current: Job | null = null
  private pending: Job | null = null
  /** Bumped by every writeSync; `fsyncedSyncGen` is the value of the last one that fsynced. */
  private syncGen = 0
  private fsyncedSyncGen = 0
  /** Bumped by every discard(). */
  private discardGen = 0
  /** A discard() came while the current write was in flight: what it renames may be stale until it is done. */
  private staleInFlight = false
  private idleWaiters: (() => void)[] = []
  /** Ends the current job's wait for `after` early (a writeSync or discard made it pointless). */
  private stopWaiting: (() => void) | null = null

  /**
   * @param file the file replaced by each write
   * @param ops the file operations (fs.promises by default)
   * @param onIdle called whenever the writer becomes idle (the registry forgets it then)
   */
  constructor(readonly file: string, private readonly ops: AtomicFileOps = promiseFileOps, private readonly onIdle?: (w: AtomicFileWriter) => void) {
    this.tmpFile = `${file}.tmp`
    this.syncTmpFile = `${file}.sync.tmp`
  }

  /** True while a write is in flight or pending. */
  get busy(): boolean { return this.running }

  /** True while a write renamed (or may rename) content that a later discard() made stale: readers must not trust the file. */
  get mayHoldDiscarded(): boolean { return this.staleInFlight }

  /**
   * Replaces the file's content with `data` on the thread pool (fsynced unless `fsync: false`).
   * With `after`, the write starts only once that promise resolved (and fails with its error); the
   * writer counts as busy meanwhile, so `discard()` and `writeSync()` already see it.
   * Resolves once this content, or newer content handed in later, is in place; rejects with the fs
   * error of the write that carried it (the file then still holds its previous content).
   */
  write(data: string | Buffer, opts: {fsync?: boolean, after?: Promise<unknown>} = {}): Promise<void> {
    const fsync = opts.fsync !== false
    return new Promise<void>((resolve, reject) => {
      const w = {resolve, reject}
      if (this.pending) {
        this.pending.data = data
        this.pending.fsync ||= fsync
        this.pending.rewriteOnly = false
        if (opts.after) this.pending.after = this.pending.after ? Promise.all([this.pending.after, opts.after]) : opts.after
        this.pending.waiters.push(w)
      } else {
        this.pending = {data, fsync, after: opts.after, waiters: [w], rewriteOnly: false}
      }
      if (!this.running) void this.drain()
    })
  }

  /**
   * Replaces the file's content synchronously (start-up, shutdown, tools). Safe while an async write
   * is in flight (see the file comment). Throws the fs error.
   */
  writeSync(data: string | Buffer, opts: {fsync?: boolean} = {}): void {
    const fsync = opts.fsync !== false
    if (!this.running) {
      atomicWriteFileSync(this.file, this.tmpFile, data, fsync)
      return
    }
    atomicWriteFileSync(this.file, this.syncTmpFile, data, fsync)
    this.syncGen++
    if (fsync) this.fsyncedSyncGen = this.syncGen
    this.stopWaiting?.()
    // Land it again after the in-flight write, in case that one renames after it (its rename under
    // way, or an fsynced write this one does not supersede); pending writes that asked for an fsync
    // this one did not do make that a real write.
    const prev = this.pending
    const owed = !fsync && (prev?.fsync ?? false)
    this.pending = {data, fsync: fsync || owed, waiters: prev?.waiters ?? [], rewriteOnly: !owed}
  }

  /**
   * Forgets the file's pending content and removes what the in-flight write renames into place
   * (call when deleting the file; the caller removes the file itself). Later writes proceed normally.
   */
  discard(): void {
    if (!this.running) return
    this.discardGen++
    this.staleInFlight = true
    this.stopWaiting?.()
    const dropped = this.pending
    this.pending = null
    for (const w of dropped?.waiters ?? []) w.resolve()
  }

  /** Resolves when no write is in flight or pending. */
  idle(): Promise<void> {
    if (!this.running) return Promise.resolve()
    return new Promise(resolve => this.idleWaiters.push(resolve))
  }

  /** A sync write at least as durable as `job`, or a discard, came since it started. */
  private superseded(job: Job, syncGen: number, discardGen: number): boolean {
    return (this.syncGen !== syncGen && (!job.fsync || this.fsyncedSyncGen > syncGen)) || this.discardGen !== discardGen
  }

  private async drain(): Promise<void> {
    this.running = true
    let stoodAside = false
    while (this.pending) {
      const job = this.pending
      this.pending = null
      if (job.rewriteOnly && stoodAside) {
        // the sync write this re-lands is already the file's content
        for (const w of job.waiters) w.resolve()
        continue
      }
      this.current = job
      const syncGen = this.syncGen
      const discardGen = this.discardGen
      try {
        if (job.after) {
          // wait for the data it describes, unless a sync write or a discard makes the write pointless
          while (!this.superseded(job, syncGen, discardGen)) {
            let stopped = false
            try {
              await Promise.race([job.after, new Promise<void>(resolve => { this.stopWaiting = () => { stopped = true; resolve() } })])
            } finally {
              this.stopWaiting = null
            }
            if (!stopped) break
          }
          if (this.superseded(job, syncGen, discardGen)) {
            // superseded or deleted while waiting: nothing to write
            stoodAside = true
            for (const w of job.waiters) w.resolve()
            this.current = null
            this.staleInFlight = false
            continue
          }
        }
        await this.ops.writeFile(this.tmpFile, job.data, job.fsync)
        stoodAside = this.superseded(job, syncGen, discardGen)
        if (stoodAside) {
          await this.ops.remove(this.tmpFile)
        } else {
          await this.ops.rename(this.tmpFile, this.file)
          if (this.discardGen !== discardGen) await this.ops.remove(this.file)
          else if (job.fsync) await this.ops.fsyncDir(path.dirname(this.file))
        }
        for (const w of job.waiters) w.resolve()
      } catch (e) {
        stoodAside = false
        for (const w of job.waiters) w.reject(e)
      }
      this.current = null
      this.staleInFlight = false
    }
    this.running = false
    const waiters = this.idleWaiters
    this.idleWaiters = []
    for (const r of waiters) r()
    this.onIdle?.(this)
  }
}

/** Busy writers by resolved path. */
const writers = new Map<string, AtomicFileWriter>()

/** The process-wide writer of `file` (created on demand, forgotten once idle). */
export function atomicFileWriter(file: string): AtomicFileWriter {
  const key = path.resolve(file)
  let w = writers.get(key)
  if (!w) {
    w = new AtomicFileWriter(file, promiseFileOps, done => { if (!done.busy && writers.get(key) === done) writers.delete(key) })
    writers.set(key, w)
  }
  return w
}

/** The busy writer of `file`, if any (none means no async write of it is in flight). */
export function busyFileWriter(file: string): AtomicFileWriter | undefined {
  const w = writers.get(path.resolve(file))
  return w?.busy ? w : undefined
}

/** Busy writers of files directly in `dir`. */
export function busyFileWritersIn(dir: string): AtomicFileWriter[] {
  const d = path.resolve(dir)
  return [...writers.entries()].filter(([k, w]) => w.busy && path.dirname(k) === d).map(([, w]) => w)
}

/**
 * Resolves once no async write is in flight under any of `dirs` (all files when omitted), writes
 * started meanwhile included. Never rejects (a failed write was reported to its caller).
 */
export async function awaitFileWrites(dirs?: readonly string[]): Promise<void> {
  const roots = dirs?.map(d => path.resolve(d) + path.sep)
  const under = (k: string): boolean => !roots || roots.some(r => k.startsWith(r))
  for (;;) {
    const busy = [...writers.entries()].filter(([k, w]) => w.busy && under(k)).map(([, w]) => w)
    if (busy.length === 0) return
    await Promise.all(busy.map(w => w.idle()))
  }
}

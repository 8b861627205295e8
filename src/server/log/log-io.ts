/**
 * The file operations of one partition log, run in order off the event loop (issue 11: disk I/O
 * never stalls the event loop). A log's writes, truncations, fsyncs, renames, closes and removals
 * are submitted as plain descriptions (`IoOp`) in the order the log's in-memory state changed; an
 * asynchronous `LogIo` runs them on libuv's thread pool strictly in that order, one round at a time:
 *
 * - consecutive writes, fsyncs and `call`s form a run: the writes of a run are grouped per file,
 *   adjacent ones merged into one `pwritev`, the files written in the order of their first write; then each file
 *   fsynced in the run is fsynced once (an fsync covers the writes before it, so moving it after
 *   later writes of the same run keeps every promise and syncs many appends at once); then the
 *   run's `call`s run on the event loop in order (a produce is acknowledged from there);
 * - every other op (truncate, rename, close, rm, fsyncDir, task) is a barrier: it starts after
 *   everything before it completed and finishes before anything after it starts.
 *
 * While a round is on the thread pool, new ops queue up and go out together in the next round, so
 * a busy log makes few large writes (group commit) and an idle one writes at once.
 *
 * A synchronous `LogIo` (the metadata log, tools, tests) runs each op when submitted, with sync fs.
 * `toSync()` turns an asynchronous one synchronous once nothing is in flight (clean shutdown).
 *
 * Readers of data still queued see it through the log segment's pending chunks, not through here.
 * An I/O error stops the queue: the failed op and everything after it are dropped, `idle()` rejects
 * with the error and `failure` keeps it (the log answers KAFKA_STORAGE_ERROR from then on, as
 * Kafka's LogDirFailureChannel takes a failed log dir offline).
 */
import fs from 'node:fs'
import {fsyncDirSync} from './atomic-file-writer.js'

/** One file operation of a log. `call` runs `fn` on the event loop after everything before it completed. */
export type IoOp =
  | {kind: 'write', fd: number, buf: Buffer, position: number}
  | {kind: 'truncate', fd: number, length: number}
  | {kind: 'fsync', fd: number}
  | {kind: 'rename', from: string, to: string}
  | {kind: 'close', fd: number}
  | {kind: 'rm', file: string}
  | {kind: 'fsyncDir', dir: string}
  | {kind: 'call', fn: () => void}
  | {kind: 'task', run: () => Promise<void>}

/** Thrown by appends to a log whose file I/O failed (Kafka error KAFKA_STORAGE_ERROR). */
export class LogIoError extends Error {
  readonly errorCode = 56
  readonly kafkaErrorCode = 56
  constructor(message: string, override readonly cause?: Error) { super(message); this.name = 'LogIoError' }
}

/** Most buffers one `pwritev` takes (Linux IOV_MAX). */
const IOV_MAX = 1024

export class LogIo {
  private queue: IoOp[] = []
  private running = false
  /** Ops submitted and ops completed so far (they complete in submission order). */
  private submitted = 0
  private completed = 0
  /** Waiting for `completed` to reach `target`, in target order. */
  private waiters: Array<{target: number, resolve: () => void, reject: (e: Error) => void}> = []
  /** The error that stopped the queue, if any. */
  failure: Error | null = null

  /** `async`: false runs every op at submission with sync fs. */
  constructor(private async = true) {}

  get isAsync(): boolean { return this.async }
  /** Whether ops are queued or on the thread pool. */
  get busy(): boolean { return this.running || this.queue.length > 0 }

  submit(op: IoOp): void {
    if (!this.async) { runSync(op); return }
    if (this.failure) return
    this.submitted++
    this.queue.push(op)
    if (!this.running) { this.running = true; queueMicrotask(() => { void this.pump() }) }
  }

  /**
   * Resolves when every op submitted so far has completed (not waiting for ops submitted later, so
   * a busy log answers its produces round by round); rejects if the queue failed.
   */
  idle(): Promise<void> {
    if (this.failure) return Promise.reject(this.failure)
    if (this.completed >= this.submitted) return Promise.resolve()
    const target = this.submitted
    return new Promise((resolve, reject) => this.waiters.push({target, resolve, reject}))
  }

  /** `n` more ops completed: wakes the waiters they were waiting for. */
  private advance(n: number): void {
    this.completed += n
    let i = 0
    while (i < this.waiters.length && this.waiters[i].target <= this.completed) this.waiters[i++].resolve()
    if (i > 0) this.waiters.splice(0, i)
  }

  /**
   * Makes the queue synchronous from now on (clean shutdown, after `idle()`): ops still queued run
   * now. Returns false, changing nothing, while a round is in flight (await `idle()` and retry).
   */
  toSync(): boolean {
    if (!this.async) return true
    if (this.running) return false
    this.async = false
    const ops = this.queue
    this.queue = []
    for (const op of ops) runSync(op)
    this.advance(ops.length)
    return true
  }

  private async pump(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        const ops = this.queue
        this.queue = []
        let i = 0
        while (i < ops.length) {
          const op = ops[i]
          const from = i
          if (op.kind === 'write' || op.kind === 'call' || op.kind === 'fsync') {
            const writes: Array<IoOp & {kind: 'write'}> = []
            const fsyncs = new Set<number>()
            const calls: Array<() => void> = []
            for (; i < ops.length; i++) {
              const o = ops[i]
              if (o.kind === 'write') writes.push(o)
              else if (o.kind === 'fsync') fsyncs.add(o.fd)
              else if (o.kind === 'call') calls.push(o.fn)
              else break
            }
            if (writes.length > 0) await writeRun(writes)
            if (fsyncs.size > 0) await Promise.all([...fsyncs].map(fd => cb(done => fs.fsync(fd, done))))
            for (const fn of calls) fn()
          } else {
            await runAsync(op)
            i++
          }
          this.advance(i - from)
        }
      }
    } catch (err) {
      this.failure = err instanceof Error ? err : new Error(String(err))
      this.queue = []
      const waiters = this.waiters
      this.waiters = []
      for (const w of waiters) w.reject(this.failure)
    }
    this.running = false
  }
}

/** The shared synchronous LogIo. */
export const SYNC_IO = new LogIo(false)

function runSync(op: IoOp): void {
  switch (op.kind) {
    case 'write': {
      let done = 0
      while (done < op.buf.length) done += fs.writeSync(op.fd, op.buf, done, op.buf.length - done, op.position + done)
      return
    }
    case 'truncate': fs.ftruncateSync(op.fd, op.length); return
    case 'fsync': fs.fsyncSync(op.fd); return
    case 'rename': renameIfExistsSync(op.from, op.to); return
    case 'close': try { fs.closeSync(op.fd) } catch { /* already closed */ } return
    case 'rm': fs.rmSync(op.file, {force: true}); return
    case 'fsyncDir': fsyncDirSync(op.dir); return
    case 'call': op.fn(); return
    case 'task': throw new Error('An asynchronous task cannot run on a synchronous LogIo')
  }
}

function renameIfExistsSync(from: string, to: string): void {
  try {
    fs.renameSync(from, to)
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e
  }
}

const cb = <T>(f: (done: (err: NodeJS.ErrnoException | null, v?: T) => void) => void): Promise<T | undefined> =>
  new Promise((resolve, reject) => f((err, v) => (err ? reject(err) : resolve(v))))

async function runAsync(op: Exclude<IoOp, {kind: 'write'} | {kind: 'call'} | {kind: 'fsync'}>): Promise<void> {
  switch (op.kind) {
    case 'truncate': await cb(done => fs.ftruncate(op.fd, op.length, done)); return
    case 'rename':
      await cb(done => fs.rename(op.from, op.to, done)).catch((e: NodeJS.ErrnoException) => {
        if (e.code !== 'ENOENT') throw e
      })
      return
    case 'close': await cb(done => fs.close(op.fd, done)).catch(() => undefined); return
    case 'rm': await fs.promises.rm(op.file, {force: true}); return
    case 'task': await op.run(); return
    case 'fsyncDir': {
      const fd = await cb<number>(done => fs.open(op.dir, 'r', done)).catch(() => undefined)
      if (fd === undefined) return
      await cb(done => fs.fsync(fd, done)).catch(() => undefined)
      await cb(done => fs.close(fd, done)).catch(() => undefined)
    }
  }
}

/**
 * Writes a run: per file, in submission order, adjacent buffers merged; the files one after the
 * other in the order of their first write, so that a crash never leaves a later segment's bytes
 * without an earlier segment's tail (a hole in the log's offsets).
 */
async function writeRun(writes: Array<IoOp & {kind: 'write'}>): Promise<void> {
  const byFd = new Map<number, Array<IoOp & {kind: 'write'}>>()
  for (const w of writes) {
    const l = byFd.get(w.fd)
    if (l) l.push(w)
    else byFd.set(w.fd, [w])
  }
  for (const [fd, ws] of byFd) await writeFile(fd, ws)
}

async function writeFile(fd: number, ws: Array<IoOp & {kind: 'write'}>): Promise<void> {
  let i = 0
  while (i < ws.length) {
    const position = ws[i].position
    const bufs: Buffer[] = [ws[i].buf]
    let end = position + ws[i].buf.length
    let j = i + 1
    while (j < ws.length && ws[j].position === end && bufs.length < IOV_MAX) { bufs.push(ws[j].buf); end += ws[j].buf.length; j++ }
    await writevFully(fd, bufs, position)
    i = j
  }
}

async function writevFully(fd: number, bufs: Buffer[], position: number): Promise<void> {
  let total = 0
  for (const b of bufs) total += b.length
  let written = (await cb<number>(done => fs.writev(fd, bufs, position, done))) ?? 0
  if (written === total) return
  // a short write (rare on regular files): the rest, buffer by buffer
  let pos = position
  for (const b of bufs) {
    let off = Math.max(0, Math.min(b.length, written))
    written -= Math.min(written, b.length)
    while (off < b.length) {
      const n = (await cb<number>(done => fs.write(fd, b, off, b.length - off, pos + off, done))) ?? 0
      if (n <= 0) throw new Error(`Short write to fd ${fd} at ${pos + off}`)
      off += n
    }
    pos += b.length
  }
}

/**
 * The event loop's handle on one log cleaner worker thread (Kafka's `CleanerThread`, here a
 * `worker_threads` Worker running `cleaner-worker.js`): started on the first request, unref'd while
 * idle (an idle cleaner does not keep the process alive), terminated by `terminate()`.
 * Requests are answered in order; `abort()` makes the one in progress give up at its next chunk
 * (it rejects with `CleaningAbortedError`). A worker that dies rejects what is pending and is
 * started again by the next request.
 */
import fs from 'node:fs'
import {createRequire} from 'node:module'
import path from 'node:path'
import {fileURLToPath, pathToFileURL} from 'node:url'
import {Worker} from 'node:worker_threads'
import type {BuildMapRequest, BuildMapResult, CleanGroupRequest, CleanGroupResult, CleanerRequest, CleanerResponseMessage, CleanerWorkerData} from './cleaner-messages.js'
import {CleaningAbortedError} from './segment-cleaner.js'

const WORKER_FILE = 'cleaner-worker'

let workerScript: URL | null = null

/**
 * The worker's script: `cleaner-worker.js` beside this module (tsc output, `import ... from 'kts'`),
 * or, when this module was bundled into another file (esbuild bundles `kts server start` and the
 * startKafka child entry), the tsc output found above the bundle (`<dir>/server/log/cleaner/`,
 * which `npm pack` ships with `dist/src`). Under tsx (sources run directly) the `.ts` file.
 * @throws Error when neither exists
 */
export function cleanerWorkerScript(): URL {
  if (workerScript) return workerScript
  const here = fileURLToPath(import.meta.url)
  const ext = path.extname(here) === '.ts' ? '.ts' : '.js'
  const sibling = path.join(path.dirname(here), WORKER_FILE + ext)
  let found: string | null = fs.existsSync(sibling) ? sibling : null
  for (let dir = path.dirname(here); found === null; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'server', 'log', 'cleaner', WORKER_FILE + ext)
    if (fs.existsSync(candidate)) found = candidate
    else if (path.dirname(dir) === dir) throw new Error(`cannot find the log cleaner's ${WORKER_FILE}${ext} near ${here}`)
  }
  workerScript = pathToFileURL(found)
  return workerScript
}

/** URL of tsx's ESM register API (`tsx/esm/api`, its package.json `exports` import entry); dev runs only. */
function tsxEsmApi(): string {
  const pkgFile = createRequire(import.meta.url).resolve('tsx/package.json')
  const pkg = JSON.parse(fs.readFileSync(pkgFile, 'utf8')) as {exports: Record<string, {import: {default: string}}>}
  return pathToFileURL(path.join(path.dirname(pkgFile), pkg.exports['./esm/api'].import.default)).href
}

interface Pending {
  resolve: (r: BuildMapResult | CleanGroupResult) => void
  reject: (e: Error) => void
}

export class CleanerThread {
  private worker: Worker | null = null
  private readonly abortFlag = new Int32Array(new SharedArrayBuffer(4))
  private readonly pending = new Map<number, Pending>()
  private nextId = 0

  /** `data`: the worker's setup (its abort flag is this handle's). */
  constructor(private readonly data: Omit<CleanerWorkerData, 'abortFlag'>) {}

  /** Kafka `buildOffsetMap` on the worker. */
  buildMap(req: Omit<BuildMapRequest, 'type'>): Promise<BuildMapResult> {
    return this.call({type: 'buildMap', ...req}) as Promise<BuildMapResult>
  }

  /** Kafka `cleanSegments` on the worker (after `buildMap` of the same pass). */
  cleanGroup(req: Omit<CleanGroupRequest, 'type'>): Promise<CleanGroupResult> {
    return this.call({type: 'cleanGroup', ...req}) as Promise<CleanGroupResult>
  }

  /** Makes the request in progress (and any sent before `resetAbort`) give up. */
  abort(): void {
    Atomics.store(this.abortFlag, 0, 1)
    Atomics.notify(this.abortFlag, 0)
  }

  /** Clears the abort flag (a new pass starts). */
  resetAbort(): void {
    Atomics.store(this.abortFlag, 0, 0)
  }

  get isRunning(): boolean { return this.worker !== null }

  /** Stops the worker; pending requests reject. */
  async terminate(): Promise<void> {
    const w = this.worker
    this.worker = null
    if (w) await w.terminate()
    this.failAll(new CleaningAbortedError())
  }

  private call(req: CleanerRequest): Promise<BuildMapResult | CleanGroupResult> {
    const w = this.worker ?? this.start()
    const id = ++this.nextId
    return new Promise((resolve, reject) => {
      this.pending.set(id, {resolve, reject})
      w.ref()
      w.postMessage({...req, id})
    })
  }

  private start(): Worker {
    const script = cleanerWorkerScript()
    const workerData = {...this.data, abortFlag: this.abortFlag.buffer} satisfies CleanerWorkerData
    // sources run under tsx (`npm run test:unit`): a worker does not inherit tsx's loader, register it first
    const w = script.pathname.endsWith('.ts')
      ? new Worker(`import(${JSON.stringify(tsxEsmApi())}).then(m => { m.register(); return import(${JSON.stringify(script.href)}) })`, {eval: true, workerData})
      : new Worker(script, {workerData})
    w.unref()
    w.on('message', (m: CleanerResponseMessage) => {
      const p = this.pending.get(m.id)
      if (!p) return
      this.pending.delete(m.id)
      if (this.pending.size === 0) w.unref()
      if (m.ok) p.resolve(m.result)
      else p.reject(m.aborted ? new CleaningAbortedError() : new Error(m.message))
    })
    w.on('error', (e: Error) => {
      if (this.worker === w) this.worker = null
      this.failAll(new Error(`log cleaner thread ${this.data.id} failed: ${e.message}`))
    })
    w.on('exit', (code: number) => {
      if (this.worker === w) this.worker = null
      this.failAll(new Error(`log cleaner thread ${this.data.id} exited (code ${code})`))
    })
    this.worker = w
    return w
  }

  private failAll(e: Error): void {
    const ps = [...this.pending.values()]
    this.pending.clear()
    for (const p of ps) p.reject(e)
  }
}

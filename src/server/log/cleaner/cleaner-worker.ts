/**
 * Entry point of a log cleaner worker thread (`new Worker(...)` in `cleaner-thread.ts`): answers
 * `CleanerRequestMessage`s one at a time with a `SegmentCleaner` (synchronous fs is fine here: this
 * thread has no event loop work to stall). Setup comes in `workerData` (`CleanerWorkerData`).
 */
import {parentPort, workerData} from 'node:worker_threads'
import type {CleanerRequestMessage, CleanerResponseMessage, CleanerWorkerData} from './cleaner-messages.js'
import {CleaningAbortedError, SegmentCleaner} from './segment-cleaner.js'
import {Throttler} from './throttler.js'

const data = workerData as CleanerWorkerData
const abortFlag = new Int32Array(data.abortFlag)
const isAborted = (): boolean => Atomics.load(abortFlag, 0) !== 0
// a throttling sleep wakes up early when the pass is aborted
const sleep = (ms: number): void => { Atomics.wait(abortFlag, 0, 0, ms) }
const cleaner = new SegmentCleaner({
  dedupeBufferBytes: data.dedupeBufferBytes, loadFactor: data.loadFactor, ioBufferSize: data.ioBufferSize,
  throttler: new Throttler(data.throttle, Date.now, sleep), isAborted,
})

const port = parentPort
if (!port) throw new Error('cleaner-worker.js runs as a worker thread only')
port.on('message', (req: CleanerRequestMessage) => {
  let res: CleanerResponseMessage
  try {
    res = {id: req.id, ok: true, result: cleaner.handle(req)}
  } catch (e) {
    res = {id: req.id, ok: false, aborted: e instanceof CleaningAbortedError, message: e instanceof Error ? e.message : String(e)}
  }
  port.postMessage(res)
})

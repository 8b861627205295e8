/** Storage bench: append 20000 × 16 KiB batches to one UnifiedLog, then read them back in 1 MiB fetches. Run: npx tsx bench/log.ts */
import fs from 'node:fs'; import os from 'node:os'; import path from 'node:path'
import {UnifiedLog, DEFAULT_LOG_CONFIG} from '../src/server/log/index.js'
import {makeBatch} from '../test/unit/server/log/batch-helper.js'
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'kts-bench-'))
const log = UnifiedLog.open({dir: path.join(root, 't-0'), topicPartition: {topic: 't', partition: 0}, config: {...DEFAULT_LOG_CONFIG, segmentBytes: 64 << 20}, recoveryPoint: 0, hadCleanShutdown: true})
const b = makeBatch({count: 100, payloadBytes: 16 * 1024})
let t = performance.now()
for (let i = 0; i < 20000; i++) log.appendAsLeader(b, 0)
const ta = performance.now() - t
t = performance.now(); let off = 0; let bytes = 0
while (off < log.logEndOffset) { const r = log.read(off, 1 << 20, log.logEndOffset, true); bytes += r.records.length; off = r.firstOffset + Math.floor(r.records.length / b.length) * 100 }
const tr = performance.now() - t
console.log(`append ${(20000 * b.length / 1e6 / (ta / 1000)).toFixed(0)} MB/s (${ta.toFixed(0)} ms), read ${(bytes / 1e6 / (tr / 1000)).toFixed(0)} MB/s, segments ${log.numberOfSegments}`)
log.close(); fs.rmSync(root, {recursive: true, force: true})

import fs from 'node:fs'; import path from 'node:path'
import {startBroker} from '/work/wt-compact/dist/test/helpers/broker-process.js'
import {kafkajsClient} from '/work/wt-compact/dist/test/interop/interop-check.js'
import {decodeRecordBatches} from '/work/wt-compact/dist/src/protocol/records/records.js'
import {Partitioners} from 'kafkajs'
const b = await startBroker({overrides: {'log.cleaner.backoff.ms': 100}})
try {
  const kafka = kafkajsClient(b.bootstrap)
  const admin = kafka.admin(); await admin.connect()
  await admin.createTopics({waitForLeaders: true, topics: [{topic: 't', numPartitions: 1, replicationFactor: 1, configEntries: [{name: 'cleanup.policy', value: 'compact'}, {name: 'segment.bytes', value: '4096'}, {name: 'min.cleanable.dirty.ratio', value: '0.01'}, {name: 'delete.retention.ms', value: '1500'}]}]})
  const p = kafka.producer({createPartitioner: Partitioners.DefaultPartitioner}); await p.connect()
  for (let r = 0; r < 12; r++) for (let i = 0; i < 25; i += 5) await p.send({topic: 't', acks: -1, messages: [0,1,2,3,4].map(j => ({key: `key-${i+j}`, value: r === 11 && (i+j) % 5 === 0 ? null : `v${r}${'v'.repeat(40)}`}))})
  for (let i = 0; i < 6; i++) await p.send({topic: 't', acks: -1, messages: [{key: 'filler', value: 'f'.repeat(1000)}]})
  await new Promise(r => setTimeout(r, 3000))
  await new Promise(r => setTimeout(r, 1600))
  for (let i = 0; i < 6; i++) await p.send({topic: 't', acks: -1, messages: [{key: 'filler', value: 'f'.repeat(1000)}]})
  await new Promise(r => setTimeout(r, 3000))
  const dir = path.join(b.logDir, 't-0')
  for (const f of fs.readdirSync(dir).sort()) if (f.endsWith('.log')) {
    const bs = decodeRecordBatches(fs.readFileSync(path.join(dir, f)))
    console.log(f, bs.map(x => `[${x.baseOffset}-${x.lastOffset} n=${x.records.length} ${x.records.map(r => r.offset + ':' + r.key + (r.value ? '' : '(T)')).join(',')}]`).join(' '))
  }
  const [{high, low}] = await admin.fetchTopicOffsets('t'); console.log('low', low, 'high', high)
  const c = kafka.consumer({groupId: 'g1', maxWaitTimeInMs: 100}); await c.connect(); await c.subscribe({topic: 't', fromBeginning: true})
  await c.run({autoCommit: false, eachBatch: async ({batch}) => { console.log('batch', batch.firstOffset(), batch.lastOffset(), batch.messages.map(m => m.offset).join(',')) }})
  await new Promise(r => setTimeout(r, 4000)); await c.disconnect()
} finally { await b.close() }

/**
 * KRaft metadata snapshots of a real `kts server start` process (issue 1, "KRaft with one voter"):
 * with a small `metadata.log.max.record.bytes.between.snapshots`, creating many topics writes
 * `<20-digit end offset>-<10-digit epoch>.checkpoint` files into
 * `<metadata.log.dir>/__cluster_metadata-0/` (Kafka `SnapshotPath`), and after a restart (clean or
 * SIGKILL) the node loads the newest snapshot and serves every topic with its original topic id.
 */
import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import {runCli} from '../helpers/run-cli.js'
import {kafkajsClient, uniqueTopic, useBroker} from './interop-check.js'

/** Topic name → topic id from `kts topics --describe` (all topics). */
async function topicIds(bootstrap: string): Promise<Map<string, string>> {
  const r = await runCli(['topics', '--describe', '--bootstrap-server', bootstrap])
  assert.equal(r.code, 0, r.stderr + r.stdout)
  const ids = new Map<string, string>()
  for (const m of r.stdout.matchAll(/^Topic: (\S+)\tTopicId: (\S+)\t/gm)) ids.set(m[1], m[2])
  return ids
}

describe('interop: KRaft metadata snapshots', function () {
  this.timeout(60_000)
  const suite = useBroker({ownBroker: true, overrides: {'metadata.log.max.record.bytes.between.snapshots': 2048}}) // needs the broker's files

  it('writes <offset>-<epoch>.checkpoint files while topics are created; a restart loads one and keeps every topic id', async () => {
    const b = suite.broker
    const metadataDir = path.join(b.logDir, '__cluster_metadata-0')
    const snapshots = (): string[] => fs.readdirSync(metadataDir).filter((f) => f.endsWith('.checkpoint')).sort()
    assert.deepEqual(snapshots(), [], 'no snapshot before any topic exists')

    const prefix = uniqueTopic('snap')
    const names = Array.from({length: 40}, (_, i) => `${prefix}-${String(i).padStart(2, '0')}`)
    const admin = kafkajsClient(b.bootstrap).admin()
    await admin.connect()
    try {
      for (let i = 0; i < names.length; i += 5) {
        assert.ok(await admin.createTopics({topics: names.slice(i, i + 5).map((topic) => ({topic, numPartitions: 2, replicationFactor: 1}))}))
      }
    } finally {
      await admin.disconnect()
    }

    const written = snapshots()
    assert.ok(written.length > 0, 'a snapshot after ~40 topic and 80 partition records')
    for (const f of written) assert.match(f, /^\d{20}-\d{10}\.checkpoint$/)
    const endOffsets = written.map((f) => Number(f.slice(0, 20)))
    assert.ok(endOffsets[endOffsets.length - 1] > 0)
    const ids = await topicIds(b.bootstrap)
    for (const n of names) assert.match(ids.get(n) ?? '', /^[A-Za-z0-9_-]{22}$/, `topic id of ${n}`)

    for (const how of ['SIGTERM', 'SIGKILL'] as const) {
      // The newest snapshot when the process is gone (a controlled shutdown writes records too, and
      // so does the restart: its partitions get their leader back once the broker is unfenced).
      if (how === 'SIGKILL') await b.kill()
      else await b.stop()
      const newest = snapshots()[snapshots().length - 1]
      const mark = b.output().length
      await b.restart()
      assert.match(b.output().slice(mark), new RegExp(`Loaded metadata snapshot ${newest.replace('.checkpoint', '')}`), `after ${how}: the newest snapshot is loaded`)
      const again = await topicIds(b.bootstrap)
      for (const n of names) assert.equal(again.get(n), ids.get(n), `after ${how}: topic id of ${n}`)
    }
  })
})

import assert from 'node:assert/strict'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {javaDateString, metaPropertiesText, MetaPropertiesError, readMetaProperties, writeMetaProperties} from '../../../../src/server/storage/meta-properties.js'

describe('meta.properties', () => {
  let dir: string
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kts-meta-'))))
  afterEach(() => fs.rmSync(dir, {recursive: true, force: true}))

  it('round-trips and leaves no temp file', () => {
    const mp = {version: 1, nodeId: 3, clusterId: 'MkU3OEVBNTcwNTJENDM2Qg', directoryId: 'bVDxW3hNQ0-4C3Ln6CxWaA'}
    writeMetaProperties(dir, mp)
    assert.deepEqual(readMetaProperties(dir), mp)
    assert.deepEqual(fs.readdirSync(dir), ['meta.properties'])
  })

  it('writes the JDK layout: # line, date line, node.id, directory.id, version, cluster.id', () => {
    const text = metaPropertiesText({version: 1, nodeId: 1, clusterId: 'c', directoryId: 'd'}, new Date(Date.UTC(2024, 9, 25, 10, 0, 3)))
    assert.equal(text, '#\n#Fri Oct 25 10:00:03 UTC 2024\nnode.id=1\ndirectory.id=d\nversion=1\ncluster.id=c\n')
    assert.equal(javaDateString(new Date(Date.UTC(2026, 0, 5, 1, 2, 3))), 'Mon Jan 05 01:02:03 UTC 2026')
  })

  it('returns null when missing, reads files written by Kafka, rejects bad versions', () => {
    assert.equal(readMetaProperties(dir), null)
    fs.writeFileSync(path.join(dir, 'meta.properties'), '#\n#Tue Oct 29 10:00:00 UTC 2024\ncluster.id=abc\nversion=1\nnode.id=2\n')
    assert.deepEqual(readMetaProperties(dir), {version: 1, clusterId: 'abc', nodeId: 2})
    fs.writeFileSync(path.join(dir, 'meta.properties'), 'version=7\n')
    assert.throws(() => readMetaProperties(dir), MetaPropertiesError)
    fs.writeFileSync(path.join(dir, 'meta.properties'), 'node.id=1\n')
    assert.throws(() => readMetaProperties(dir), /version/)
  })
})

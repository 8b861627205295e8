import assert from 'node:assert/strict'
import {FetchSessionCache} from '../../../../src/server/replica/fetch-session-cache.js'

describe('FetchSessionCache', () => {
  it('creates sessions with distinct non-zero ids and evicts the least recently used when full', () => {
    const c = new FetchSessionCache(2)
    const a = c.create(1)
    const b = c.create(2)
    assert.notEqual(a.id, 0)
    assert.notEqual(a.id, b.id)
    a.lastUsedMs = 10
    const d = c.create(3)
    assert.equal(c.size, 2)
    assert.equal(c.get(b.id), undefined, 'b was least recently used')
    assert.ok(c.get(a.id))
    assert.ok(c.get(d.id))
  })
})

import assert from 'node:assert/strict'
import {existsSync, readFileSync} from 'node:fs'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {ERROR_TABLE, ErrorCode, KafkaError, errorCodeFor, errorMessage, errorName, isRetriable} from '../../../src/protocol/errors.js'

/** `../shared/spec/error-codes.tsv` next to the repo, found from here (works from src and dist). */
function findTsv(): string | null {
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    const candidate = join(dir, 'shared', 'spec', 'error-codes.tsv')
    if (existsSync(candidate)) return candidate
    if (dirname(dir) === dir) return null
  }
}
const TSV = findTsv()

describe('protocol/errors', () => {
  it('matches ../shared/spec/error-codes.tsv exactly', function () {
    if (TSV === null) this.skip()
    const rows = readFileSync(TSV, 'utf8').trim().split('\n').slice(1).map(l => l.split('\t'))
    assert.equal(ERROR_TABLE.length, rows.length)
    for (let i = 0; i < rows.length; i++) {
      const [code, name, retriable] = rows[i]
      assert.deepEqual(ERROR_TABLE[i], [Number(code), name, retriable === 'true'], `row ${i}`)
      assert.equal((ErrorCode as Record<string, number>)[name], Number(code))
      assert.equal(errorName(Number(code)), name)
      assert.equal(isRetriable(Number(code)), retriable === 'true')
    }
    assert.equal(Object.keys(ErrorCode).length, rows.length)
  })

  it('knows well-known codes', () => {
    assert.equal(ErrorCode.NONE, 0)
    assert.equal(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, 3)
    assert.equal(ErrorCode.UNKNOWN_SERVER_ERROR, -1)
    assert.equal(isRetriable(ErrorCode.NOT_LEADER_OR_FOLLOWER), true)
    assert.equal(isRetriable(ErrorCode.TOPIC_ALREADY_EXISTS), false)
    assert.equal(errorName(9999), 'UNKNOWN_ERROR_CODE_9999')
    assert.equal(isRetriable(9999), false)
  })

  it('gives Kafka default messages, else the name', () => {
    assert.equal(errorMessage(ErrorCode.TOPIC_ALREADY_EXISTS), 'Topic with this name already exists.')
    assert.equal(errorMessage(ErrorCode.NONE), 'NONE')
    assert.equal(errorMessage(ErrorCode.INVALID_REGULAR_EXPRESSION), 'INVALID_REGULAR_EXPRESSION')
  })

  it('maps errors to codes', () => {
    const e = new KafkaError(ErrorCode.NOT_LEADER_OR_FOLLOWER, 'not leader of t-0')
    assert.ok(e instanceof Error)
    assert.equal(e.message, 'not leader of t-0')
    assert.equal(e.errorName, 'NOT_LEADER_OR_FOLLOWER')
    assert.equal(e.retriable, true)
    assert.equal(errorCodeFor(e), 6)
    assert.equal(new KafkaError(ErrorCode.INVALID_CONFIG).message, 'Configuration is invalid.')
    assert.equal(errorCodeFor(new Error('boom')), -1)
    assert.equal(errorCodeFor('boom'), -1)
    assert.equal(errorCodeFor(null), -1)
    assert.equal(errorCodeFor(Object.assign(new Error('x'), {kafkaErrorCode: 87})), 87)
  })
})

import assert from 'node:assert/strict'
import {LineMessageReader, LineSplitter, lineReaderConfig} from '../../../src/cli/console/line-message-reader.js'
import {formatRecord, formatterConfig, type ConsumedRecord} from '../../../src/cli/console/message-formatter.js'

const text = (b: Buffer | null): string | null => b === null ? null : b.toString('utf8')

describe('console-producer LineMessageReader', () => {
  it('splits lines on \\n, \\r\\n and \\r, also across chunks', () => {
    const s = new LineSplitter()
    assert.deepEqual(s.push('a\nb\r'), ['a', 'b'])
    assert.deepEqual(s.push('\nc\r\nd'), ['c'])
    assert.deepEqual(s.push('e\n\n'), ['de', ''])
    assert.equal(s.end(), null)
    assert.deepEqual(s.push('tail'), [])
    assert.equal(s.end(), 'tail')
  })

  it('parses headers, key and value with the default separators', () => {
    const r = new LineMessageReader(lineReaderConfig({'parse.key': 'true', 'parse.headers': ' TRUE '}))
    const rec = r.parse('h1:v1,h2:v2\tk\tv\twith tab')
    assert.equal(text(rec.key), 'k')
    assert.equal(text(rec.value), 'v\twith tab')
    assert.deepEqual(rec.headers.map((h) => [h.key, text(h.value)]), [['h1', 'v1'], ['h2', 'v2']])
    const plain = new LineMessageReader(lineReaderConfig({})).parse('')
    assert.deepEqual([plain.key, text(plain.value), plain.headers], [null, '', []])
  })

  it('null.marker makes nulls; errors name the line number', () => {
    const r = new LineMessageReader(lineReaderConfig({'parse.key': 'true', 'null.marker': 'NULL', 'parse.headers': 'true'}))
    const rec = r.parse('h:NULL\tNULL\tNULL')
    assert.deepEqual([rec.key, rec.value, rec.headers[0].value], [null, null, null])
    assert.throws(() => r.parse('h:x\tnokey'), /^KafkaException: No key separator found on line number 2: 'h:x\tnokey'$/)
    assert.throws(() => r.parse('noheaders'), /No headers delimiter found on line number 3: 'noheaders'/)
    assert.throws(() => r.parse('h1\tk\tv'), /No header key separator found in pair 'h1' on line number 4/)
    assert.throws(() => r.parse('NULL:x\tk\tv'), /Header keys should not be equal to the null marker 'NULL' as they can't be null/)
    const lenient = new LineMessageReader(lineReaderConfig({'parse.key': 'true', 'ignore.error': 'true'}))
    const l = lenient.parse('novalue')
    assert.deepEqual([l.key, text(l.value)], [null, 'novalue'])
  })
})

describe('console-consumer DefaultMessageFormatter', () => {
  const rec = (over: Partial<ConsumedRecord>): ConsumedRecord => ({topic: 't', partition: 0, offset: 0, timestamp: 1729850000000, timestampType: 0,
    key: Buffer.from('k1'), value: Buffer.from('hello'), headers: [{key: 'h1', value: Buffer.from('v1')}], ...over})
  const fmt = (props: Record<string, string>, r: ConsumedRecord): string => {
    const out: Buffer[] = []
    formatRecord(formatterConfig(props), r, out)
    return Buffer.concat(out).toString('utf8')
  }

  it('prints the value only by default', () => {
    assert.equal(fmt({}, rec({})), 'hello\n')
    assert.equal(fmt({}, rec({value: null})), 'null\n')
  })

  it('prints all fields in Kafka\'s order', () => {
    const all = {'print.timestamp': 'true', 'print.key': 'true', 'print.partition': 'true', 'print.offset': 'true', 'print.headers': 'true'}
    assert.equal(fmt(all, rec({})), 'CreateTime:1729850000000\tPartition:0\tOffset:0\th1:v1\tk1\thello\n')
    assert.equal(fmt(all, rec({offset: 1, timestamp: 1729850000123, headers: [], key: null, value: Buffer.from('world')})),
      'CreateTime:1729850000123\tPartition:0\tOffset:1\tNO_HEADERS\tnull\tworld\n')
    assert.equal(fmt({'print.timestamp': 'true', 'print.value': 'false'}, rec({timestampType: 1})), 'LogAppendTime:1729850000000\n')
    assert.equal(fmt({'print.timestamp': 'true'}, rec({timestampType: -1})), 'NO_TIMESTAMP\thello\n')
    assert.equal(fmt({'print.key': 'true', 'key.separator': ' | ', 'line.separator': ';', 'null.literal': '-'}, rec({key: null})), '- | hello;')
  })
})

import assert from 'node:assert/strict'
import {groupPartitionFor, javaStringHashCode, kafkaAbs} from '../../../../src/server/group/group-partition.js'
import {
  decodeCoordinatorKey, decodeGroupMetadataValue, decodeOffsetCommitValue, encodeGroupMetadataKey, encodeGroupMetadataValue,
  encodeOffsetCommitKey, encodeOffsetCommitValue, subscribedTopics,
} from '../../../../src/server/group/group-records.js'

describe('group partition and __consumer_offsets records', () => {
  it('hashes group ids like Java String.hashCode and Utils.abs', () => {
    assert.equal(javaStringHashCode(''), 0)
    assert.equal(javaStringHashCode('hello'), 99162322)
    assert.equal(javaStringHashCode('polygenelubricants'), -2147483648)
    assert.equal(kafkaAbs(-2147483648), 0)
    assert.equal(groupPartitionFor('polygenelubricants', 50), 0)
    assert.equal(groupPartitionFor('hello', 50), 99162322 % 50)
    assert.equal(groupPartitionFor('my-group', 50), Math.abs(javaStringHashCode('my-group')) % 50)
  })

  it('encodes keys with Kafka key versions (offset commit 1, group metadata 2)', () => {
    const k = encodeOffsetCommitKey({group: 'g', topic: 't', partition: 3})
    assert.deepEqual(k, Buffer.from([0, 1, 0, 1, 0x67, 0, 1, 0x74, 0, 0, 0, 3]))
    assert.deepEqual(decodeCoordinatorKey(k), {type: 'offset', key: {group: 'g', topic: 't', partition: 3}})
    assert.deepEqual(decodeCoordinatorKey(encodeGroupMetadataKey('grp')), {type: 'group', group: 'grp'})
    assert.deepEqual(decodeCoordinatorKey(Buffer.from([0, 5, 0, 0])), {type: 'other', version: 5})
  })

  it('round-trips OffsetCommitValue v3 and v1', () => {
    const v3 = {offset: 42, leaderEpoch: 7, metadata: 'meta', commitTimestamp: 1_700_000_000_123, expireTimestamp: -1}
    const b3 = encodeOffsetCommitValue(v3)
    assert.equal(b3.readInt16BE(0), 3)
    assert.deepEqual(decodeOffsetCommitValue(b3), v3)
    const v1 = {offset: 1, leaderEpoch: -1, metadata: '', commitTimestamp: 5, expireTimestamp: 10}
    const b1 = encodeOffsetCommitValue(v1)
    assert.equal(b1.readInt16BE(0), 1)
    assert.deepEqual(decodeOffsetCommitValue(b1), v1)
  })

  it('round-trips GroupMetadataValue v3', () => {
    const v = {protocolType: 'consumer', generation: 4, protocol: 'range', leader: 'm1', currentStateTimestamp: 99, members: [
      {memberId: 'm1', groupInstanceId: 'i1', clientId: 'c', clientHost: '/127.0.0.1', rebalanceTimeout: 30000, sessionTimeout: 10000,
        subscription: Buffer.from([1, 2]), assignment: Buffer.from([3])},
      {memberId: 'm2', groupInstanceId: null, clientId: 'c', clientHost: 'h', rebalanceTimeout: 1, sessionTimeout: 2,
        subscription: Buffer.alloc(0), assignment: Buffer.alloc(0)},
    ]}
    const b = encodeGroupMetadataValue(v)
    assert.equal(b.readInt16BE(0), 3)
    assert.deepEqual(decodeGroupMetadataValue(b), v)
    assert.throws(() => decodeGroupMetadataValue(b.subarray(0, b.length - 1)))
  })

  it('reads the topics of a consumer subscription', () => {
    const sub = Buffer.from([0, 1, 0, 0, 0, 2, 0, 1, 0x61, 0, 2, 0x62, 0x63, 0xff, 0xff, 0xff, 0xff])
    assert.deepEqual(subscribedTopics(sub), ['a', 'bc'])
    assert.equal(subscribedTopics(Buffer.from([0])), null)
  })
})

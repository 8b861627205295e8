import assert from 'node:assert/strict'
import {Writer} from '../../../src/protocol/primitives/writer.js'
import {writeConsumerProtocolAssignment} from '../../../src/protocol/generated/data/consumer-protocol-assignment.js'
import {decodeAssignment} from '../../../src/cli/groups/consumer-protocol.js'
import {memberRows, offsetRows, partitionsToDescribe} from '../../../src/cli/groups/describe-rows.js'
import {javaExceptionClass, javaExceptionText} from '../../../src/cli/groups/group-errors.js'
import {tpKey, type CommittedOffset, type GroupDescription} from '../../../src/cli/groups/group-model.js'
import {progressWanted, ttyProgress} from '../../../src/cli/groups/progress.js'
import {assignmentText, renderDeleteGroups, renderDeleteOffsets, renderListPlain, renderListTable, renderMembers, renderOffsets,
  renderResetPlan, renderState, stateCheck} from '../../../src/cli/groups/render-groups.js'

const CID = 'console-consumer-1a2b3c4d-5e6f-7a8b-9c0d-1e2f3a4b5c6d'
const group: GroupDescription = {
  groupId: 'my-group', state: 'Stable', protocolType: 'consumer', assignmentStrategy: 'range',
  coordinator: {nodeId: 1, host: 'localhost', port: 9092},
  members: [
    {consumerId: 'other-1', groupInstanceId: null, clientId: 'other', host: '/10.0.0.2', assignment: [{topic: 'orders', partition: 2}]},
    {consumerId: CID, groupInstanceId: null, clientId: 'console-consumer', host: '/127.0.0.1',
      assignment: [{topic: 'orders', partition: 1}, {topic: 'orders', partition: 0}]},
    {consumerId: 'idle-1', groupInstanceId: null, clientId: 'idle', host: '/10.0.0.3', assignment: []},
  ],
}
const committed = new Map<string, CommittedOffset>([
  [tpKey({topic: 'orders', partition: 0}), {topic: 'orders', partition: 0, offset: 5}],
  [tpKey({topic: 'old-topic', partition: 0}), {topic: 'old-topic', partition: 0, offset: 9}],
])
const ends = new Map([[tpKey({topic: 'orders', partition: 0}), 7], [tpKey({topic: 'orders', partition: 1}), 3], [tpKey({topic: 'orders', partition: 2}), 0]])

describe('kts consumer-groups describe rows', () => {
  it('members with most partitions first, partitions sorted, then unowned commits', () => {
    const rows = offsetRows(group, committed, ends)
    assert.deepEqual(rows.map((r) => [r.topic, r.partition, r.currentOffset, r.logEndOffset, r.lag, r.consumerId]), [
      ['orders', 0, 5, 7, 2, CID],
      ['orders', 1, null, 3, null, CID],
      ['orders', 2, null, 0, null, 'other-1'],
      ['old-topic', 0, 9, null, null, null],
    ])
    assert.deepEqual(partitionsToDescribe(group, committed).map((tp) => `${tp.topic}-${tp.partition}`).sort(),
      ['old-topic-0', 'orders-0', 'orders-1', 'orders-2'])
    assert.deepEqual(memberRows(group, false).map((r) => [r.consumerId, r.numPartitions, r.assignment.length]), [['other-1', 1, 0], [CID, 2, 0], ['idle-1', 0, 0]])
    assert.equal(memberRows(group, true)[1].assignment.length, 2)
  })
})

describe('kts consumer-groups rendering', () => {
  it('offsets table: Kafka\'s widths, `-` for unknowns, leading newline per line, trailing newline', () => {
    const text = renderOffsets(offsetRows({...group, members: [group.members[1]]}, committed, ends))
    assert.equal(text, [
      '',
      'GROUP           TOPIC           PARTITION  CURRENT-OFFSET  LOG-END-OFFSET  LAG             CONSUMER-ID                                           HOST            CLIENT-ID',
      `my-group        orders          0          5               7               2               ${CID} /127.0.0.1      console-consumer`,
      `my-group        orders          1          -               3               -               ${CID} /127.0.0.1      console-consumer`,
      'my-group        old-topic       0          9               -               -               -                                                     -               -',
      '',
    ].join('\n'))
  })

  it('state checks: Dead on stdout, Empty and rebalancing on stderr, unknown state fails', () => {
    assert.deepEqual(stateCheck('g', 'Dead', 0), {chunks: [{text: '\nError: Consumer group \'g\' does not exist.\n', kind: 'error'}], print: false, missing: true})
    assert.deepEqual(stateCheck('g', null, null).chunks, [{text: '\nError: The consumer group \'g\' does not exist.\n', kind: 'error'}])
    assert.deepEqual(stateCheck('g', 'Empty', 2), {chunks: [{text: '\nConsumer group \'g\' has no active members.\n', stderr: true}], print: true, missing: false})
    assert.equal(stateCheck('g', 'Empty', 0).print, false)
    for (const s of ['PreparingRebalance', 'CompletingRebalance', 'Assigning', 'Reconciling']) {
      assert.deepEqual(stateCheck('g', s, 1).chunks, [{text: '\nWarning: Consumer group \'g\' is rebalancing.\n', stderr: true, kind: 'warning'}])
    }
    assert.deepEqual(stateCheck('g', 'Stable', 1), {chunks: [], print: true, missing: false})
    assert.throws(() => stateCheck('g', 'Unknown', 1), /Expected a valid consumer group state, but found 'Unknown'\./)
  })

  it('members table: trailing space after #PARTITIONS, ASSIGNMENT with --verbose, instance id column when present', () => {
    const one = {...group, members: [group.members[1]]}
    assert.equal(renderMembers(memberRows(one, false), false, true), [
      '',
      'GROUP           CONSUMER-ID                                           HOST            CLIENT-ID        #PARTITIONS     ',
      `my-group        ${CID} /127.0.0.1      console-consumer 2               `,
      '',
    ].join('\n'))
    assert.equal(renderMembers(memberRows(one, true), true, true).split('\n')[2],
      `my-group        ${CID} /127.0.0.1      console-consumer 2               (0,1)`)
    const statics = {...one, members: [{...group.members[1], groupInstanceId: 'instance-a'}]}
    assert.equal(renderMembers(memberRows(statics, false), false, true).split('\n')[1],
      'GROUP           CONSUMER-ID                                           GROUP-INSTANCE-ID HOST            CLIENT-ID        #PARTITIONS     ')
    // the header alone (default widths) when the state check fails
    assert.equal(renderMembers([], false, false), '\nGROUP           CONSUMER-ID     HOST            CLIENT-ID       #PARTITIONS     \n')
    assert.equal(assignmentText([{topic: 'b', partition: 10}, {topic: 'b', partition: 2}, {topic: 'a', partition: 1}]), '(1), (10,2)')
    assert.equal(assignmentText([]), '-')
  })

  it('state table: GROUP sized from the coordinator text, two spaces before (id)', () => {
    assert.equal(renderState(group), [
      '',
      'GROUP                     COORDINATOR (ID)          ASSIGNMENT-STRATEGY  STATE           #MEMBERS',
      'my-group                  localhost:9092  (1)       range                Stable          3',
      '',
    ].join('\n'))
    const long = {...group, coordinator: {nodeId: 12, host: 'broker-number-one.example.com', port: 9092}}
    assert.match(renderState(long).split('\n')[2], /^my-group {33}broker-number-one\.example\.com:9092 {2}\(12\) range/)
  })

  it('list: ids one per line; with --state/--type Kafka\'s padded table', () => {
    const groups = [{groupId: 'a', state: 'Stable', type: 'Classic'}, {groupId: 'a-much-longer-group-name', state: null, type: null}]
    assert.equal(renderListPlain(groups), 'a\na-much-longer-group-name\n')
    assert.equal(renderListPlain([]), '')
    assert.equal(renderListTable(groups, false, true), [
      'GROUP                              STATE               ',
      'a                                  Stable              ',
      'a-much-longer-group-name           Unknown             ',
      '',
    ].join('\n'))
    assert.equal(renderListTable([], true, true), 'GROUP                     TYPE                 STATE               \n')
  })

  it('a header style marks only the header row; without one the text is Kafka\'s byte for byte', () => {
    const bold = {header: (t: string) => `<b>${t}</b>`}
    const rows = offsetRows({...group, members: [group.members[1]]}, committed, ends)
    const styled = renderOffsets(rows, bold)
    assert.match(styled, /^\n<b>GROUP {11}TOPIC .*CLIENT-ID<\/b>\nmy-group /)
    assert.equal(styled.replace(/<\/?b>/g, ''), renderOffsets(rows))
    const groups = [{groupId: 'a', state: 'Stable', type: 'Classic'}]
    assert.equal(renderListTable(groups, true, true, bold).replace(/<\/?b>/g, ''), renderListTable(groups, true, true))
    assert.match(renderListTable(groups, true, true, bold), /^<b>GROUP {21}TYPE {17}STATE {15}<\/b>\n/)
    assert.match(renderMembers(memberRows(group, true), true, true, bold), /^\n<b>GROUP .*ASSIGNMENT<\/b>\n/)
    assert.match(renderState(group, bold), /^\n<b>GROUP .*#MEMBERS<\/b>\nmy-group/)
    assert.match(renderResetPlan([{groupId: 'g', offsets: []}], bold), /^\n<b>GROUP .*NEW-OFFSET {5}<\/b>\n$/)
    assert.match(renderDeleteOffsets('g', ['t'], 0, [], bold).map((c) => c.text).join(''), /\n<b>TOPIC .*STATUS {9}<\/b>\n$/)
  })

  it('reset plan table: %-30s %-30s %-10s %-15s, header even for a refused group, final newline', () => {
    assert.equal(renderResetPlan([{groupId: 'g', offsets: [{topic: 'orders', partition: 0, offset: 0}]}]), [
      '',
      'GROUP                          TOPIC                          PARTITION  NEW-OFFSET     ',
      'g                              orders                         0          0              ',
      '',
    ].join('\n'))
    assert.equal(renderResetPlan([{groupId: 'g', offsets: []}]), '\nGROUP                          TOPIC                          PARTITION  NEW-OFFSET     \n')
    assert.equal(renderResetPlan([]), '\n')
  })

  it('delete groups: success line, or Kafka\'s failure block', () => {
    assert.deepEqual(renderDeleteGroups([{groupId: 'g1', errorCode: 0}, {groupId: 'g2', errorCode: 0}]),
      [{text: 'Deletion of requested consumer groups (\'g1, g2\') was successful.\n'}])
    assert.deepEqual(renderDeleteGroups([{groupId: 'g1', errorCode: 68}, {groupId: 'g2', errorCode: 0}, {groupId: 'g3', errorCode: 69}]).map((c) => c.text).join(''), [
      '',
      'Error: Deletion of some consumer groups failed:',
      '* Group \'g1\' could not be deleted due to: java.util.concurrent.ExecutionException: org.apache.kafka.common.errors.GroupNotEmptyException: The group is not empty.',
      '* Group \'g3\' could not be deleted due to: java.util.concurrent.ExecutionException: org.apache.kafka.common.errors.GroupIdNotFoundException: The group id does not exist.',
      '',
      'These consumer groups were deleted successfully: \'g2\', \'',
      '',
    ].join('\n'))
  })

  it('delete offsets: the top-level line, then the status table sorted by topic+partition text', () => {
    const entries = [
      {topic: 't', partition: 10, error: null},
      {topic: 't', partition: 2, error: javaExceptionText(86)},
      {topic: 'gone', partition: -1, error: javaExceptionText(3)},
    ]
    assert.equal(renderDeleteOffsets('g', ['t', 'gone'], 86, entries).map((c) => c.text).join(''), [
      '',
      'Error: Encounter some partition level error, see the follow-up details:',
      '',
      'TOPIC                          PARTITION       STATUS         ',
      'gone                           Not Provided    Error: :org.apache.kafka.common.errors.UnknownTopicOrPartitionException: This server does not host this topic-partition.',
      't                              10              Successful     ',
      't                              2               Error: :org.apache.kafka.common.errors.GroupSubscribedToTopicException: Deleting offsets of a topic is forbidden while the consumer group is actively subscribed to it.',
      '',
    ].join('\n'))
    assert.equal(renderDeleteOffsets('g', ['t:0'], 0, [{topic: 't', partition: 0, error: null}])[0].text, 'Request succeed for deleting offsets with topic t:0 group g\n')
    assert.equal(renderDeleteOffsets('g', ['t'], 69, [])[0].text, '\nError: \'g\' does not exist.\n')
    assert.equal(renderDeleteOffsets('g', ['t'], 68, [])[0].text, '\nError: Deleting offsets of a consumer group \'g\' is forbidden if the group is not empty.\n')
    assert.equal(renderDeleteOffsets('g', ['t'], 42, [])[0].text, '\nError: Encounter some unknown error: INVALID_REQUEST\n')
  })
})

describe('kts consumer-groups helpers', () => {
  it('Java exception names and messages for broker error codes', () => {
    assert.equal(javaExceptionClass(15), 'org.apache.kafka.common.errors.CoordinatorNotAvailableException')
    assert.equal(javaExceptionClass(25), 'org.apache.kafka.common.errors.UnknownMemberIdException')
    assert.equal(javaExceptionText(68), 'org.apache.kafka.common.errors.GroupNotEmptyException: The group is not empty.')
    assert.equal(javaExceptionText(7, 'slow'), 'org.apache.kafka.common.errors.TimeoutException: slow')
  })

  it('decodes consumer protocol assignments of every version (newer read as 3)', () => {
    for (const version of [0, 1, 3, 7]) {
      const w = new Writer(64)
      w.writeInt16(version)
      writeConsumerProtocolAssignment(w, {assignedPartitions: [{topic: 'orders', partitions: [2, 0]}, {topic: 'pay', partitions: [1]}], userData: null}, Math.min(version, 3))
      assert.deepEqual(decodeAssignment(w.toBuffer()), [{topic: 'orders', partition: 2}, {topic: 'orders', partition: 0}, {topic: 'pay', partition: 1}])
    }
    assert.deepEqual(decodeAssignment(Buffer.alloc(0)), [])
    assert.throws(() => decodeAssignment(Buffer.from([0xff, 0xff])), /Unsupported consumer protocol assignment version -1/)
  })

  it('progress is drawn only on a TTY, redrawn in place and erased', () => {
    assert.equal(progressWanted(false, {isTTY: true}, {isTTY: true}), true)
    assert.equal(progressWanted(true, {isTTY: true}, {isTTY: true}), false)
    assert.equal(progressWanted(false, {isTTY: false}, {isTTY: true}), false)
    assert.equal(progressWanted(false, {isTTY: true}, {}), false)
    let written = ''
    const p = ttyProgress({write: (s: string) => (written += s)})
    p.clear()
    assert.equal(written, '')
    p.update('Describing consumer groups', 1, 3)
    p.update('Describing consumer groups', 2, 3)
    p.clear()
    p.clear()
    assert.equal(written, '\r\x1b[KDescribing consumer groups 1/3\r\x1b[KDescribing consumer groups 2/3\r\x1b[K')
  })
})

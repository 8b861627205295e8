import assert from 'node:assert/strict'
import {alterUserScramCredentials, describeUserScramCredentials} from '../../../../src/server/controller/scram-control.js'
import {MetadataDelta} from '../../../../src/server/metadata/metadata-delta.js'
import {MetadataImage} from '../../../../src/server/metadata/metadata-image.js'
import {imageToRecords} from '../../../../src/server/metadata/image-records.js'

const salted32 = Buffer.alloc(32, 7)
const salted64 = Buffer.alloc(64, 9)

function apply(image: MetadataImage, records: ReturnType<typeof alterUserScramCredentials>['records']): MetadataImage {
  const d = new MetadataDelta(image)
  for (const r of records) d.replay(r)
  return d.apply()
}

describe('SCRAM credentials in the controller (ScramControlManager) and the image', () => {
  it('upserts and deletes credentials; the image, its snapshot records and Describe follow', () => {
    let image = MetadataImage.empty('c')
    const up = alterUserScramCredentials(image, {deletions: [], upsertions: [
      {name: 'alice', mechanism: 1, iterations: 4096, salt: Buffer.from('s1'), saltedPassword: salted32},
      {name: 'bob', mechanism: 2, iterations: 8192, salt: Buffer.from('s2'), saltedPassword: salted64},
    ]})
    assert.deepEqual(up.results.map((r) => r.errorCode), [0, 0])
    image = apply(image, up.records)
    assert.equal(image.scramCredential(1, 'alice')?.iterations, 4096)
    assert.equal(image.scramCredential(2, 'bob')?.storedKey.length, 64)
    assert.equal(apply(MetadataImage.empty('c'), imageToRecords(image)).scramCredential(2, 'bob')?.iterations, 8192)
    assert.deepEqual(describeUserScramCredentials(image, null).map((r) => [r.user, r.credentialInfos]), [['alice', [{mechanism: 1, iterations: 4096}]], ['bob', [{mechanism: 2, iterations: 8192}]]])
    assert.deepEqual(describeUserScramCredentials(image, ['bob', 'x', 'bob']).map((r) => [r.user, r.errorCode]), [['bob', 92], ['x', 91]])
    const del = alterUserScramCredentials(image, {deletions: [{name: 'alice', mechanism: 1}], upsertions: []})
    image = apply(image, del.records)
    assert.equal(image.scramCredential(1, 'alice'), undefined)
  })

  it('answers Kafka per-entry errors and applies nothing for a failed user', () => {
    const image = MetadataImage.empty('c')
    const r = alterUserScramCredentials(image, {
      deletions: [{name: 'nobody', mechanism: 1}, {name: 'x', mechanism: 9}],
      upsertions: [
        {name: '', mechanism: 1, iterations: 4096, salt: Buffer.from('s'), saltedPassword: salted32},
        {name: 'few', mechanism: 1, iterations: 10, salt: Buffer.from('s'), saltedPassword: salted32},
        {name: 'many', mechanism: 1, iterations: 99999, salt: Buffer.from('s'), saltedPassword: salted32},
        {name: 'twice', mechanism: 1, iterations: 4096, salt: Buffer.from('s'), saltedPassword: salted32},
        {name: 'twice', mechanism: 2, iterations: 4096, salt: Buffer.from('s'), saltedPassword: salted64},
      ],
    })
    assert.deepEqual(r.results.map((e) => [e.user, e.errorCode, e.errorMessage]), [
      ['nobody', 91, 'Attempt to delete a user credential that does not exist'],
      ['x', 33, 'Unknown SCRAM mechanism'],
      ['', 93, 'Username must not be empty'],
      ['few', 93, 'Too few iterations'],
      ['many', 93, 'Too many iterations'],
      ['twice', 92, 'A user credential cannot be altered twice in the same request'],
      ['twice', 92, 'A user credential cannot be altered twice in the same request'],
    ])
    assert.deepEqual(r.records, [])
  })
})

import assert from 'node:assert/strict'
import {parseAddScram} from '../../../../src/server/storage/scram-bootstrap.js'
import {saltedPassword, SCRAM_SHA_256, credentialFromSaltedPassword} from '../../../../src/protocol/security/scram.js'
import {StorageError} from '../../../../src/server/storage/storage-errors.js'

describe('storage format --add-scram (Kafka ScramParser)', () => {
  it('derives a credential from a password, with default and explicit iterations and salt', async () => {
    const a = parseAddScram('SCRAM-SHA-256=[name=alice,password=alice-secret]')
    assert.equal(a.name, 'alice')
    assert.equal(a.mechanism.type, 1)
    assert.equal(a.iterations, 4096)
    assert.equal(a.salt.length, 32)
    const salt = Buffer.from('salty-salt')
    const b = parseAddScram(`SCRAM-SHA-256=[name="bob",iterations=8192,salt="${salt.toString('base64')}",password="pw"]`)
    const expected = credentialFromSaltedPassword(SCRAM_SHA_256, salt, await saltedPassword(SCRAM_SHA_256, 'pw', salt, 8192), 8192)
    assert.deepEqual(b.storedKey, expected.storedKey)
    assert.deepEqual(b.serverKey, expected.serverKey)
    const salted = await saltedPassword(SCRAM_SHA_256, 'pw', salt, 4096)
    const c = parseAddScram(`SCRAM-SHA-256=[name=carol,salt="${salt.toString('base64')}",saltedpassword="${salted.toString('base64')}"]`)
    assert.deepEqual(c.storedKey, credentialFromSaltedPassword(SCRAM_SHA_256, salt, salted, 4096).storedKey)
  })

  it('rejects bad values with one line that never shows the password', () => {
    const cases: [string, RegExp][] = [
      ['SCRAM-SHA-1=[name=a,password=top-secret]', /mechanism SCRAM-SHA-1 is not supported/],
      ['SCRAM-SHA-256=[password=top-secret]', /You must supply 'name'/],
      ['SCRAM-SHA-256=[name=a]', /one of 'password' or 'saltedpassword'/],
      ['SCRAM-SHA-256=[name=a,password=top-secret,saltedpassword=AAAA]', /only supply one of/],
      ['SCRAM-SHA-256=[name=a,saltedpassword=AAAA]', /supply 'salt'/],
      ['SCRAM-SHA-256=[name=a,iterations=100,password=top-secret]', /at least 4096/],
      ['SCRAM-SHA-256=[name=a,iterations=99999,password=top-secret]', /at most 16384/],
      ['SCRAM-SHA-256 name=a password=top-secret', /Failed to parse SCRAM argument/],
    ]
    for (const [text, re] of cases) {
      assert.throws(() => parseAddScram(text), (err: Error) => err instanceof StorageError && re.test(err.message) && !err.message.includes('top-secret'), text)
    }
  })
})

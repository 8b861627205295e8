import assert from 'node:assert/strict'
import {clientCredentials, JaasConfigError, parseJaasConfig} from '../../../../src/protocol/security/jaas-config.js'

describe('sasl.jaas.config parsing (Kafka JaasConfig)', () => {
  it('parses login modules, control flags and quoted or bare options', () => {
    const [m] = parseJaasConfig('org.apache.kafka.common.security.plain.PlainLoginModule required username="admin" password="a\\"b c" user_alice=alice-secret;')
    assert.equal(m.loginModule, 'org.apache.kafka.common.security.plain.PlainLoginModule')
    assert.equal(m.controlFlag, 'required')
    assert.deepEqual(m.options, {username: 'admin', password: 'a"b c', user_alice: 'alice-secret'})
    assert.deepEqual(clientCredentials('org.apache.kafka.common.security.scram.ScramLoginModule required username="bob" password="x";'), {username: 'bob', password: 'x'})
    assert.equal(parseJaasConfig('A required; B optional k=v;').length, 2)
  })

  it('rejects malformed values without quoting any value', () => {
    for (const bad of ['', 'Module', 'Module required username="x"', 'Module maybe;', 'Module required username=;', 'Module required password="sec']) {
      assert.throws(() => parseJaasConfig(bad), (err: Error) => err instanceof JaasConfigError && !err.message.includes('sec'), bad)
    }
    assert.throws(() => clientCredentials('M required username="u";'), /needs username and password/)
  })
})

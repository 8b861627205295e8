import assert from 'node:assert/strict'
import {isKnownBrokerKey} from '../../../../src/server/config/broker-config-defs.js'
import {ConfigError} from '../../../../src/server/config/config-def.js'
import {checkUnsupportedConfigs, findUnsupportedConfigs, UNSUPPORTED_CONFIGS, unsupportedConfigRow} from '../../../../src/server/config/unsupported-configs.js'

function refusal(props: Record<string, string>): string {
  try {
    checkUnsupportedConfigs(props)
  } catch (err) {
    assert.ok(err instanceof ConfigError)
    return err.message
  }
  assert.fail(`not refused: ${JSON.stringify(props)}`)
}

describe('unsupported-configs: what a node refuses, warns about or accepts', () => {
  it('refuses security settings with one line naming the key (values of secrets are not printed)', () => {
    assert.equal(refusal({'authorizer.class.name': 'kafka.security.authorizer.AclAuthorizer'}),
      'Unsupported configuration authorizer.class.name=kafka.security.authorizer.AclAuthorizer: kts implements only org.apache.kafka.metadata.authorizer.StandardAuthorizer (ACLs in the metadata log); another authorizer would not be enforced')
    assert.deepEqual(checkUnsupportedConfigs({'authorizer.class.name': 'org.apache.kafka.metadata.authorizer.StandardAuthorizer', 'super.users': 'User:admin', 'allow.everyone.if.no.acl.found': 'true'}), [])
    for (const key of ['sasl.server.callback.handler.class', 'listener.name.sasl_ssl.plain.sasl.server.callback.handler.class',
      'listener.name.sasl_ssl.max.connections.per.ip.overrides.x', 'ssl.engine.factory.class', 'sasl.login.class',
      'principal.builder.class', 'delegation.token.secret.key', 'client.quota.callback.class',
      'create.topic.policy.class.name', 'alter.config.policy.class.name', 'security.providers']) {
      const msg = refusal({[key]: 'secret-value'})
      assert.match(msg, new RegExp(`^Unsupported configuration ${key.replace(/\./g, '\\.')}[=:]`), key)
      assert.equal(msg.includes('\n'), false)
      if (/overrides|delegation/.test(key)) assert.equal(msg.includes('secret-value'), false, `${key} value printed`)
    }
    // Implemented security keys (also per listener) are neither refused nor warned about.
    assert.deepEqual(checkUnsupportedConfigs({'sasl.enabled.mechanisms': 'PLAIN', 'ssl.keystore.location': '/k', 'ssl.truststore.location': '/t',
      'listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config': 'x', 'listener.name.ssl.ssl.client.auth': 'required', 'connections.max.reauth.ms': '1000'}), [])
  })

  it('refuses tiered storage only when switched on; an empty authorizer is fine', () => {
    assert.match(refusal({'remote.log.storage.system.enable': 'true'}), /^Unsupported configuration remote\.log\.storage\.system\.enable=true: tiered storage/)
    assert.deepEqual(checkUnsupportedConfigs({'remote.log.storage.system.enable': 'false', 'remote.log.manager.thread.pool.size': '4', 'log.local.retention.ms': '1000', 'authorizer.class.name': ''}), [])
  })

  it('warns once per key for harmless tuning of missing features, and only when the value asks for them', () => {
    assert.deepEqual(checkUnsupportedConfigs({
      'quota.window.num': '11', 'super.users': 'User:admin', 'max.connections.per.ip': '10',
      'log.cleanup.policy': 'compact,delete', 'group.coordinator.rebalance.protocols': 'classic,consumer',
    }), [
      'The configuration \'group.coordinator.rebalance.protocols\' has no effect in kts: only the classic group protocol is implemented',
      'The configuration \'max.connections.per.ip\' has no effect in kts: connection limits are not enforced',
      'The configuration \'quota.window.num\' has no effect in kts: quotas and throttles are not enforced',
    ])
    assert.deepEqual(checkUnsupportedConfigs({'log.cleanup.policy': 'delete', 'group.coordinator.rebalance.protocols': 'classic'}), [])
  })

  it('the shipped config/kraft/*.properties start without a warning; rows are all reachable and governed keys are known', () => {
    const kafkaSample = {
      'num.network.threads': '3', 'num.io.threads': '8', 'socket.send.buffer.bytes': '102400', 'socket.receive.buffer.bytes': '102400',
      'num.recovery.threads.per.data.dir': '1', 'transaction.state.log.replication.factor': '1', 'transaction.state.log.min.isr': '1',
    }
    assert.deepEqual(findUnsupportedConfigs(kafkaSample), {refused: [], warned: []})
    for (const row of UNSUPPORTED_CONFIGS) {
      const key = row.key.endsWith('.') ? `${row.key}x` : row.key
      assert.equal(unsupportedConfigRow(key), row, `row ${row.key} is shadowed by an earlier row`)
      assert.ok(isKnownBrokerKey(key), key)
    }
    assert.equal(isKnownBrokerKey('no.such.key'), false)
  })
})

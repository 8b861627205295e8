import assert from 'node:assert/strict'
import {PrincipalMappingRules, rfc2253Name} from '../../../../src/server/security/principal-mapping-rules.js'

describe('ssl.principal.mapping.rules (Kafka SslPrincipalMapper)', () => {
  it('DEFAULT keeps the DN; rules map with groups and case; the first matching rule wins', () => {
    assert.equal(PrincipalMappingRules.parse(undefined).apply('CN=client,OU=eng,O=kts'), 'CN=client,OU=eng,O=kts')
    const rules = PrincipalMappingRules.parse('RULE:^CN=(.*?),OU=ServiceUsers.*$/$1/,RULE:^CN=(.*?),OU=(.*?),O=(.*?)$/$1@$2/L, DEFAULT')
    assert.equal(rules.apply('CN=kafka-svc,OU=ServiceUsers,O=Unknown'), 'kafka-svc')
    assert.equal(rules.apply('CN=Alice,OU=ENG,O=kts'), 'alice@eng')
    assert.equal(rules.apply('CN=x'), 'CN=x')
    assert.equal(PrincipalMappingRules.parse('RULE:^CN=([^,]*).*$/$1/U').apply('CN=bob,O=k'), 'BOB')
  })

  it('fails without a matching rule, and on malformed rules', () => {
    assert.throws(() => PrincipalMappingRules.parse('RULE:^CN=(a)$/$1/').apply('CN=b'), /No rules apply to CN=b/)
    assert.throws(() => PrincipalMappingRules.parse('RULE:^CN=(a)$'), /Invalid rule/)
    assert.throws(() => PrincipalMappingRules.parse('NOPE'), /Invalid rule/)
  })

  it('renders a node certificate subject as Java X500Principal.getName() does', () => {
    assert.equal(rfc2253Name('C=US\nO=kts\nOU=eng\nCN=client'), 'CN=client,OU=eng,O=kts,C=US')
    assert.equal(rfc2253Name('O=a,b\nCN=x+y'), 'CN=x\\+y,O=a\\,b')
  })
})

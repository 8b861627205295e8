import {strict as assert} from 'node:assert'
import {javaDoubleString} from '../../../../src/server/controller/config-describer.js'

describe('DescribeConfigs value strings', () => {
  it("writes doubles as Java's Double.toString (Kafka's ConfigDef.convertToString)", () => {
    assert.equal(javaDoubleString(Number.MAX_VALUE), '1.7976931348623157E308') // log.cleaner.io.max.bytes.per.second
    assert.equal(javaDoubleString(0.9), '0.9')
    assert.equal(javaDoubleString(1), '1.0')
    assert.equal(javaDoubleString(10), '10.0')
    assert.equal(javaDoubleString(1e7), '1.0E7')
    assert.equal(javaDoubleString(1.5e-4), '1.5E-4')
    assert.equal(javaDoubleString(0), '0.0')
    assert.equal(javaDoubleString(-2), '-2.0')
  })
})

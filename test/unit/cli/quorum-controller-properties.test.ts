import assert from 'node:assert/strict'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {controllerToAdd, describeEndpoint} from '../../../src/cli/quorum/controller-properties.js'
import {writeMetaProperties} from '../../../src/server/storage/meta-properties.js'

describe('metadata-quorum add-controller: the controller from its server.properties (Kafka 3.9 MetadataQuorumCommand)', () => {
  let dir: string
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kts-addctl-'))))
  afterEach(() => fs.rmSync(dir, {recursive: true, force: true}))

  const props = (extra: Record<string, string> = {}): Record<string, string> => ({
    'process.roles': 'controller', 'node.id': '2', 'controller.listener.names': 'CONTROLLER',
    listeners: 'CONTROLLER://:9094', 'advertised.listeners': 'CONTROLLER://ctl2:9094', 'log.dirs': dir, ...extra,
  })

  it('reads the node id, the metadata dir\'s directory id and the advertised controller endpoints', () => {
    writeMetaProperties(dir, {version: 1, nodeId: 2, clusterId: 'MkU3OEVBNTcwNTJENDM2Qg', directoryId: 'J8aAPcfLQt2bqs1JT_rMgQ'})
    assert.deepEqual(controllerToAdd(props()), {id: 2, directoryId: 'J8aAPcfLQt2bqs1JT_rMgQ', endpoints: [{name: 'CONTROLLER', host: 'ctl2', port: 9094}]})
    assert.deepEqual(controllerToAdd(props({'advertised.listeners': ''})).endpoints, [{name: 'CONTROLLER', host: 'localhost', port: 9094}])
    assert.equal(describeEndpoint({name: 'CONTROLLER', host: '::1', port: 9094}), 'CONTROLLER://[::1]:9094')
  })

  it('Kafka\'s messages for a file that is not a usable controller configuration', () => {
    const valid = 'Is this a valid controller configuration file?'
    const cases: [Record<string, string>, string][] = [
      [{...props(), 'node.id': undefined as unknown as string}, `node.id not found in configuration file. ${valid}`],
      [props({'node.id': '-1'}), `node.id was negative in configuration file. ${valid}`],
      [props({'process.roles': 'broker'}), `process.roles did not contain 'controller' in configuration file. ${valid}`],
      [props(), `Unable to read meta.properties from ${dir}`],
    ]
    for (const [p, message] of cases) {
      for (const k of Object.keys(p)) if (p[k] === undefined) delete p[k]
      assert.throws(() => controllerToAdd(p), {message})
    }
    writeMetaProperties(dir, {version: 1, nodeId: 2, clusterId: 'MkU3OEVBNTcwNTJENDM2Qg', directoryId: 'J8aAPcfLQt2bqs1JT_rMgQ'})
    assert.throws(() => controllerToAdd(props({'controller.listener.names': 'CTL'})), {message: 'Cannot find information about controller listener name: CTL'})
  })
})

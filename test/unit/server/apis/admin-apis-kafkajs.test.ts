// Interop: a real kafkajs admin client against real sockets, the API handlers of this layer, and a
// single-voter QuorumController with its metadata log in a temp dir.
import assert from 'node:assert/strict'
import {Kafka, logLevel} from 'kafkajs'
import {SocketServer} from '../../../../src/server/network/socket-server.js'
import {RequestDispatcher} from '../../../../src/server/network/request-dispatcher.js'
import {apiVersions} from '../../../../src/server/apis/api-versions.js'
import {metadata} from '../../../../src/server/apis/metadata.js'
import type {ApiDefinition} from '../../../../src/server/apis/registry.js'
import {createTopics} from '../../../../src/server/apis/create-topics.js'
import {deleteTopics} from '../../../../src/server/apis/delete-topics.js'
import {createPartitions} from '../../../../src/server/apis/create-partitions.js'
import {describeConfigs} from '../../../../src/server/apis/describe-configs.js'
import {alterConfigs} from '../../../../src/server/apis/alter-configs.js'
import {incrementalAlterConfigs} from '../../../../src/server/apis/incremental-alter-configs.js'
import {describeCluster} from '../../../../src/server/apis/describe-cluster.js'
import {metadataViewOf} from '../../../../src/server/metadata/image-metadata-view.js'
import type {Logger} from '../../../../src/server/util/logger.js'
import {registerAndUnfence, startAdminFixture} from './admin-apis-helper.js'

const quiet: Logger = new Proxy({}, {get: () => () => undefined}) as Logger

describe('admin APIs with kafkajs (interop)', function () {
  this.timeout(30000)
  let fx: Awaited<ReturnType<typeof startAdminFixture>>
  let server: SocketServer
  let kafka: Kafka

  before(async () => {
    fx = await startAdminFixture({}, false)
    // The controller-side handlers served directly on a PLAINTEXT listener, with the services of
    // both listener kinds (no broker in this test to forward them).
    const services = {...fx.services, logger: quiet, view: () => metadataViewOf(fx.server.metadata.image)}
    const defs = [apiVersions, metadata, createTopics, deleteTopics, createPartitions, describeConfigs, alterConfigs, incrementalAlterConfigs, describeCluster] as ApiDefinition<never>[]
    const apis = new Map(defs.map(d => [d.spec.apiKey, d as ApiDefinition<typeof services>]))
    server = new SocketServer([{name: 'PLAINTEXT', host: '127.0.0.1', port: 0}], 100 * 1024 * 1024, () => new RequestDispatcher(apis, services, quiet), quiet)
    await server.start()
    const port = server.boundPorts.get('PLAINTEXT')!
    await registerAndUnfence(fx.server.controller, 1, [{name: 'PLAINTEXT', host: '127.0.0.1', port, securityProtocol: 0}])
    kafka = new Kafka({clientId: 'kts-test', brokers: [`127.0.0.1:${port}`], logLevel: logLevel.NOTHING, retry: {retries: 0}})
  })

  after(async () => {
    await server?.stop()
    await fx?.close()
  })

  it('creates, lists, describes, alters, extends and deletes topics', async () => {
    const admin = kafka.admin()
    await admin.connect()
    try {
      assert.equal(await admin.createTopics({topics: [{topic: 'interop', numPartitions: 2, configEntries: [{name: 'cleanup.policy', value: 'compact'}]}]}), true)
      await assert.rejects(admin.createTopics({topics: [{topic: 'bad', numPartitions: 1, replicationFactor: 3}]}), (err: any) => {
        assert.match(JSON.stringify(err.errors ?? err.message), /INVALID_REPLICATION_FACTOR|replication factor/i)
        return true
      })
      assert.ok((await admin.listTopics()).includes('interop'))
      const md = await admin.fetchTopicMetadata({topics: ['interop']})
      assert.equal(md.topics[0].partitions.length, 2)

      const cfg = await admin.describeConfigs({resources: [{type: 2, name: 'interop', configNames: ['cleanup.policy', 'retention.ms']}], includeSynonyms: false})
      const entries = new Map(cfg.resources[0].configEntries.map(e => [e.configName, e]))
      assert.equal(entries.get('cleanup.policy')!.configValue, 'compact')
      assert.equal(entries.get('retention.ms')!.configValue, '604800000')

      await admin.alterConfigs({validateOnly: false, resources: [{type: 2, name: 'interop', configEntries: [{name: 'retention.ms', value: '3600000'}]}]})
      const cfg2 = await admin.describeConfigs({resources: [{type: 2, name: 'interop', configNames: ['retention.ms', 'cleanup.policy']}], includeSynonyms: false})
      const e2 = new Map(cfg2.resources[0].configEntries.map(e => [e.configName, e]))
      assert.equal(e2.get('retention.ms')!.configValue, '3600000')
      assert.equal(e2.get('cleanup.policy')!.configValue, 'delete') // legacy AlterConfigs replaced all overrides

      await admin.createPartitions({topicPartitions: [{topic: 'interop', count: 4}]})
      assert.equal(fx.server.metadata.image.topic('interop')!.partitions.size, 4)

      const cluster = await admin.describeCluster()
      assert.equal(cluster.clusterId, 'test-cluster')
      assert.equal(cluster.brokers.length, 1)

      await admin.deleteTopics({topics: ['interop']})
      assert.equal(fx.server.metadata.image.topic('interop'), undefined)
    } finally {
      await admin.disconnect()
    }
  })
})

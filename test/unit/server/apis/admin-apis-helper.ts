import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {buildServerConfig} from '../../../../src/server/config/server-config.js'
import {ControllerServer} from '../../../../src/server/controller/controller-server.js'
import type {QuorumController} from '../../../../src/server/controller/quorum-controller.js'
import {metadataViewOf} from '../../../../src/server/metadata/image-metadata-view.js'
import type {RequestContext} from '../../../../src/server/apis/registry.js'
import type {ControllerServices} from '../../../../src/server/services.js'
import {getLogger} from '../../../../src/server/util/logger.js'
import {ANONYMOUS} from '../../../../src/server/security/kafka-principal.js'
import {createAuthorizer} from '../../../../src/server/security/authorizer/authorizer.js'

type Listener = {name: string, host: string, port: number, securityProtocol: number}

/** Registers broker `brokerId` and unfences it with a heartbeat that has caught up (as a broker's lifecycle manager does). */
export async function registerAndUnfence(controller: QuorumController, brokerId: number, listeners: Listener[], rack: string | null = null): Promise<number> {
  const {brokerEpoch} = await controller.registerBroker({brokerId, incarnationId: `AAAAAAAAAAAAAAAAAAAA${String.fromCharCode(65 + brokerId)}g`, listeners, rack})
  await controller.brokerHeartbeat({brokerId, brokerEpoch, currentMetadataOffset: brokerEpoch, wantFence: false, wantShutDown: false})
  return brokerEpoch
}

/** A combined single-voter controller in a temp dir, and a RequestContext factory for handlers. */
export async function startAdminFixture(props: Record<string, string> = {}, registerBroker = true) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kts-admin-'))
  const config = buildServerConfig({
    'process.roles': 'broker,controller',
    'node.id': '1',
    'controller.quorum.voters': '1@localhost:9093',
    'listeners': 'PLAINTEXT://:9092,CONTROLLER://:9093',
    'controller.listener.names': 'CONTROLLER',
    'log.dirs': dir,
    'metadata.max.idle.interval.ms': '0',
    ...props,
  })
  const server = await ControllerServer.start({config, clusterId: 'test-cluster', nodeId: 1})
  if (registerBroker) await registerAndUnfence(server.controller, 1, [{name: 'PLAINTEXT', host: 'localhost', port: 9092, securityProtocol: 0}])
  const services: ControllerServices = {
    nodeId: 1, clusterId: 'test-cluster', config, logger: getLogger('admin-apis-test'), metadata: server.metadata,
    view: () => metadataViewOf(server.metadata.image), raft: server.raft, controller: server.controller,
    authorizer: createAuthorizer(config, server.metadata),
    handleForwarded: () => Promise.reject(new Error('not forwarded in these tests')),
  }
  const ctx = (apiVersion: number, listenerName = 'PLAINTEXT'): RequestContext<ControllerServices> => ({
    apiVersion, correlationId: 1, clientId: 'test', listenerName, clientHost: '127.0.0.1', connectionId: 'c1', apis: new Map(),
    rawRequest: Buffer.alloc(0), services, principal: ANONYMOUS,
  })
  return {
    server, config, ctx, services,
    async close() {
      await server.shutdown()
      fs.rmSync(dir, {recursive: true, force: true})
    },
  }
}

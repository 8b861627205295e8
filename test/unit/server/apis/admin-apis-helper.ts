import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {buildServerConfig} from '../../../../src/server/config/server-config.js'
import {ControllerServer} from '../../../../src/server/controller/controller-server.js'
import type {RequestContext} from '../../../../src/server/apis/registry.js'

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
  if (registerBroker) await server.controller.registerBroker({brokerId: 1, incarnationId: 'AAAAAAAAAAAAAAAAAAAAAg', listeners: [{name: 'PLAINTEXT', host: 'localhost', port: 9092, securityProtocol: 0}], rack: null, unfence: true})
  const ctx = (apiVersion: number): RequestContext => ({
    apiVersion, correlationId: 1, clientId: 'test', listenerName: 'PLAINTEXT', clientHost: '127.0.0.1', connectionId: 'c1', apis: new Map(),
    services: {nodeId: 1, clusterId: 'test-cluster', config, metadata: server.metadata, controller: server.controller} as any,
  })
  return {
    server, config, ctx,
    async close() {
      await server.shutdown()
      fs.rmSync(dir, {recursive: true, force: true})
    },
  }
}

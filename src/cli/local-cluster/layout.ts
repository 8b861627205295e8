/**
 * The layout of a local cluster (`kts cluster start`): which nodes, with which roles, on which
 * ports, and the server.properties each gets — one directory per node under the cluster directory.
 *
 * Node ids and ports:
 * - combined (default): nodes 1..N are `process.roles=broker,controller` and all vote;
 * - separate: nodes 1..C are controllers, C+1..C+N brokers.
 * Brokers listen on PLAINTEXT `basePort`, `basePort+1`, ... in broker order; controllers on
 * CONTROLLER `basePort+100`, `basePort+101`, ... in controller order (9092.. and 9192.. by default).
 */
import path from 'node:path'

export interface ClusterLayout {
  /** Nodes with the broker role. */
  brokers: number
  /** Nodes with the controller role (voters). In combined mode equal to `brokers`. */
  controllers: number
  combined: boolean
  /** Host the listeners bind to and advertise. */
  host: string
  basePort: number
}

export interface LocalNode {
  id: number
  roles: ('broker' | 'controller')[]
  /** PLAINTEXT port, 0 for a controller-only node. */
  brokerPort: number
  /** CONTROLLER port, 0 for a broker-only node. */
  controllerPort: number
  /** `<cluster dir>/node-<id>` */
  dir: string
  configFile: string
  /** `log.dirs` */
  dataDir: string
  /** LOG_DIR of the daemon (kafkaServer.out, server.log). */
  logDir: string
}

/** Offset of the first controller port from the first broker port. */
export const CONTROLLER_PORT_OFFSET = 100

/** The nodes of `layout` in `dir`. */
export function layoutNodes(layout: ClusterLayout, dir: string): LocalNode[] {
  const nodes: LocalNode[] = []
  const total = layout.combined ? layout.brokers : layout.controllers + layout.brokers
  for (let id = 1; id <= total; id++) {
    const isController = layout.combined || id <= layout.controllers
    const isBroker = layout.combined || id > layout.controllers
    const brokerIndex = layout.combined ? id - 1 : id - layout.controllers - 1
    const nodeDir = path.join(dir, `node-${id}`)
    nodes.push({
      id,
      roles: [...(isBroker ? ['broker' as const] : []), ...(isController ? ['controller' as const] : [])],
      brokerPort: isBroker ? layout.basePort + brokerIndex : 0,
      controllerPort: isController ? layout.basePort + CONTROLLER_PORT_OFFSET + id - 1 : 0,
      dir: nodeDir,
      configFile: path.join(nodeDir, 'server.properties'),
      dataDir: path.join(nodeDir, 'data'),
      logDir: path.join(nodeDir, 'logs'),
    })
  }
  return nodes
}

/** The server.properties of `node` (Kafka's shipped config/kraft files, per role, with this cluster's voters and ports). */
export function nodeProperties(node: LocalNode, nodes: LocalNode[], layout: ClusterLayout): string {
  const voters = nodes.filter(n => n.controllerPort > 0).map(n => `${n.id}@${layout.host}:${n.controllerPort}`).join(',')
  const brokerCount = nodes.filter(n => n.brokerPort > 0).length
  const listeners: string[] = []
  const advertised: string[] = []
  if (node.brokerPort > 0) {
    listeners.push(`PLAINTEXT://${layout.host}:${node.brokerPort}`)
    advertised.push(`PLAINTEXT://${layout.host}:${node.brokerPort}`)
  }
  if (node.controllerPort > 0) {
    listeners.push(`CONTROLLER://${layout.host}:${node.controllerPort}`)
    advertised.push(`CONTROLLER://${layout.host}:${node.controllerPort}`)
  }
  const lines = [
    `# Node ${node.id} of a local kts cluster (written by kts cluster start).`,
    `process.roles=${node.roles.join(',')}`,
    `node.id=${node.id}`,
    `controller.quorum.voters=${voters}`,
    `listeners=${listeners.join(',')}`,
    `advertised.listeners=${advertised.join(',')}`,
    ...(node.brokerPort > 0 ? ['inter.broker.listener.name=PLAINTEXT'] : []),
    'controller.listener.names=CONTROLLER',
    'listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
    `log.dirs=${node.dataDir}`,
    'num.partitions=1',
    `offsets.topic.replication.factor=${Math.min(3, brokerCount)}`,
    `transaction.state.log.replication.factor=${Math.min(3, brokerCount)}`,
    `transaction.state.log.min.isr=${Math.min(2, brokerCount)}`,
  ]
  return lines.join('\n') + '\n'
}

/**
 * The life of a `kts server start` process once its config is loaded: start the node (launchNode),
 * record the process for `kts server stop` (server-registry.ts), report to a parent that waits for
 * it (node-ipc.ts), shut down cleanly on SIGTERM / SIGINT / SIGHUP (Kafka's LoggingSignalHandler)
 * and exit 0, or 1 when the shutdown failed.
 *
 * A `-daemon` child (KTS_SERVER_IPC=daemon) also appends its log to `$LOG_DIR/server.log` and
 * disconnects from its parent once started; an attached child (startKafka's child-process mode)
 * is not recorded (it belongs to its parent) and shuts down when its parent goes away.
 * No oclif here: `src/embedded/node-main.ts` runs this without the CLI layer.
 */
import path from 'node:path'
import type {ServerConfig} from '../../server/config/server-config.js'
import {launchNode, type RunningNode} from '../../server/launch.js'
import {configureLogging, getLogger} from '../../server/util/logger.js'
import {sendToParent, serverIpcMode, type BoundListener} from './node-ipc.js'
import {registerServer} from './server-registry.js'

/** The first non-empty line of an error's message (what `KtsCommand.catch()` prints). */
function oneLine(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err)
  return message.split('\n').map((l) => l.trim()).find((l) => l.length > 0) ?? (err instanceof Error ? err.name : 'Unknown error')
}

/** `LOG_DIR` as kafka-run-class.sh reads it (default `./logs`), absolute. */
export function logDirFromEnv(env: NodeJS.ProcessEnv = process.env): string {
  return path.resolve(env.LOG_DIR || 'logs')
}

/** Runs the node of `config` in this process until it is stopped by a signal (or its parent, when attached). */
export async function runNodeProcess({config, configPath}: {config: ServerConfig, configPath: string}): Promise<void> {
  const ipc = serverIpcMode()
  const logDir = ipc === 'daemon' ? logDirFromEnv() : null
  if (logDir !== null) configureLogging({file: path.join(logDir, 'server.log')})

  // Signal handlers go in before start-up (Kafka registers its shutdown hook first): a SIGTERM that
  // arrives while the node starts, or right after "Kafka Server started" is logged, must still shut
  // down cleanly instead of killing the process with the default action. Repeated signals are ignored.
  let node: RunningNode | null = null
  let stopRequested = false
  const shutdown = (n: RunningNode): void => {
    n.shutdown().then(
      () => process.exit(0),
      (err) => {
        process.stderr.write(`Error during shutdown: ${(err as Error).message}\n`)
        process.exit(1)
      },
    )
  }
  const stop = (reason: string): void => {
    if (stopRequested) return
    stopRequested = true
    getLogger('org.apache.kafka.common.utils.LoggingSignalHandler').info(reason)
    if (node !== null) shutdown(node)
  }
  for (const sig of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.on(sig, () => stop(`Terminating process due to signal ${sig}`))

  try {
    node = await launchNode({config, configPath})
  } catch (err) {
    if (ipc !== null) {
      await sendToParent({type: 'failed', message: oneLine(err)})
      process.disconnect()
    }
    throw err
  }

  const started = node
  const listeners: BoundListener[] = config.listeners.map((l) => ({name: l.name, host: l.host, port: started.boundPorts.get(l.name) ?? l.port}))
  if (ipc !== 'attached') {
    try {
      registerServer({
        nodeId: node.nodeId,
        processRoles: config.processRoles,
        configFile: configPath,
        daemon: ipc === 'daemon',
        logDir,
        listeners: listeners.map((l) => `${l.name}://${l.host}:${l.port}`).join(','),
      })
    } catch (err) {
      getLogger('kafka.Kafka').warn(`kts server stop will not find this process: ${oneLine(err)}`)
    }
  }
  if (ipc !== null) await sendToParent({type: 'started', pid: process.pid, nodeId: node.nodeId, clusterId: node.clusterId, listeners})
  if (ipc === 'daemon') process.disconnect()
  if (ipc === 'attached') {
    process.once('disconnect', () => stop('Parent process disconnected'))
    if (!process.connected) stop('Parent process disconnected')
  }
  if (stopRequested) shutdown(node)
  await node.done
  if (node.failure !== null) {
    // The node stopped by itself (see RunningNode.failure): one line, exit 1.
    process.stderr.write(`${oneLine(node.failure)}\n`)
    process.exit(1)
  }
}

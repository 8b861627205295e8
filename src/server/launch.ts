/**
 * Starting a node from a parsed config, shared by `kts server start` (foreground and `-daemon`)
 * and `startKafka()` (in-process): the checks made before any server starts (KRaft roles, the
 * configs kts refuses: `config/unsupported-configs.ts`), one WARN line per key that has no effect,
 * then `startNode()` from `node.ts` (loaded on first use, so that importing this module stays cheap).
 */
import {ConfigError} from './config/config-def.js'
import type {ServerConfig} from './config/server-config.js'
import {checkUnsupportedConfigs} from './config/unsupported-configs.js'
import {allListenerSecurity} from './security/listener-security.js'
import {interNodeSecurity} from './security/inter-node-security.js'
import type {RunningNode, StartNodeOptions} from './node.js'
import {getLogger} from './util/logger.js'

export type {RunningNode, StartNodeOptions} from './node.js'

/**
 * The checks a node makes before it touches storage or sockets.
 * @returns the WARN lines to log (one per key that has no effect in kts)
 * @throws ConfigError one line: no `process.roles` (kts is KRaft only), a refused key, or listener
 *   security kts cannot honour (GSSAPI/OAUTHBEARER, an SSL listener without a keystore, a JKS store, ...)
 */
export function preflightNode(config: ServerConfig, configPath?: string): string[] {
  if (config.processRoles.length === 0) {
    throw new ConfigError(`kts runs only in KRaft mode: set process.roles (broker, controller or both)${configPath ? ` in ${configPath}` : ''}`)
  }
  const warnings = checkUnsupportedConfigs(config.originals)
  // Listener TLS/SASL settings and the node's own logins must be usable (never run open by mistake).
  allListenerSecurity(config)
  interNodeSecurity(config)
  return warnings
}

/**
 * `preflightNode`, its warnings logged (logger `kafka.server.KafkaConfig`), then `startNode`.
 * @throws ConfigError as `preflightNode`; otherwise whatever `startNode` throws (storage errors,
 *   `Socket server failed to bind to 127.0.0.1:9092: Address already in use.`)
 */
export async function launchNode(opts: StartNodeOptions): Promise<RunningNode> {
  const warnings = preflightNode(opts.config, opts.configPath)
  const log = getLogger('kafka.server.KafkaConfig')
  for (const w of warnings) log.warn(w)
  const {startNode} = await import('./node.js')
  return startNode(opts)
}

/**
 * Broker configs that Kafka implements and kts does not (yet), in ONE table with the reason for each,
 * and what a node does when server.properties (or an `--override`) sets one:
 *
 * - `refuse`: start-up stops with one line naming the key. For settings whose silent absence would
 *   leave a node less secure or less protected than its operator believes (authorizer, TLS, SASL,
 *   policies, quota callbacks) or that change where data lives (tiered storage).
 * - `warn`: the node starts and logs one WARN line per key (harmless tuning of a missing feature,
 *   or a feature whose absence is visible, such as unenforced client quotas).
 * - `accept`: no effect and no message: Kafka's own sample server.properties sets these (thread
 *   counts, socket buffers), or Kafka ignores them too in this setup (tiered-storage tuning while
 *   `remote.log.storage.system.enable` is false).
 *
 * A key a row matches is a known key (no "isn't a known config" warning). Rows are matched in
 * order, first match wins; `key` is an exact name, or a prefix when it ends with `.`. A row with
 * `when` applies only when its predicate holds for the (trimmed) value.
 * docs/COMPATIBILITY.md ("server.properties: what kts refuses, warns about or ignores") lists the same table.
 */
import {ConfigError} from './config-def.js'

export type UnsupportedAction = 'refuse' | 'warn' | 'accept'

export interface UnsupportedConfig {
  /** Exact key, or a prefix ending in `.` (`ssl.`). */
  key: string
  action: UnsupportedAction
  /** Why: what kts lacks, in a few words (printed after the key). */
  reason: string
  /** Applies only when this holds for the value (default: whenever the key is set). */
  when?: (value: string) => boolean
  /** Print the value beside the key (never for secrets; default false). */
  showValue?: boolean
}

const nonEmpty = (v: string): boolean => v !== ''
const isTrue = (v: string): boolean => v.toLowerCase() === 'true'
const listHasAny = (...items: string[]) => (v: string): boolean => v.split(',').map((x) => x.trim().toLowerCase()).some((x) => items.includes(x))

const NO_JVM_CLASS = 'custom Java classes are not loaded (no JVM)'
const NO_TOKENS = 'delegation tokens are not supported yet'
const NO_QUOTAS = 'quotas and throttles are not enforced'
const NO_EFFECT = 'no effect in kts'
/** The authorizer kts implements (security/authorizer/authorizer.ts). */
const STANDARD_AUTHORIZER = 'org.apache.kafka.metadata.authorizer.StandardAuthorizer'

/** The table (order matters: the first matching row wins). */
export const UNSUPPORTED_CONFIGS: readonly UnsupportedConfig[] = [
  // --- security: refuse what kts does not implement ---------------------------------------------
  {key: 'authorizer.class.name', action: 'refuse', when: (v) => nonEmpty(v) && v !== STANDARD_AUTHORIZER, showValue: true,
    reason: `kts implements only ${STANDARD_AUTHORIZER} (ACLs in the metadata log); another authorizer would not be enforced`},
  {key: 'principal.builder.class', action: 'refuse', showValue: true, reason: `${NO_JVM_CLASS}: principals come from SASL or ssl.principal.mapping.rules`},
  {key: 'security.providers', action: 'refuse', showValue: true, reason: NO_JVM_CLASS},
  {key: 'ssl.engine.factory.class', action: 'refuse', showValue: true, reason: NO_JVM_CLASS},
  {key: 'sasl.server.callback.handler.class', action: 'refuse', showValue: true, reason: `${NO_JVM_CLASS}: PLAIN users come from the JAAS user_<name> options, SCRAM users from the metadata log`},
  {key: 'sasl.client.callback.handler.class', action: 'refuse', showValue: true, reason: NO_JVM_CLASS},
  {key: 'sasl.login.class', action: 'refuse', showValue: true, reason: NO_JVM_CLASS},
  {key: 'sasl.login.callback.handler.class', action: 'refuse', showValue: true, reason: NO_JVM_CLASS},
  {key: 'delegation.token.secret.key', action: 'refuse', reason: NO_TOKENS},
  {key: 'delegation.token.master.key', action: 'refuse', reason: NO_TOKENS},
  // TLS/SASL tuning that node:tls / kts has no use for: accepted quietly or with a warning
  {key: 'ssl.provider', action: 'warn', showValue: true, reason: 'node:tls always uses OpenSSL'},
  {key: 'ssl.keymanager.algorithm', action: 'accept', reason: NO_EFFECT},
  {key: 'ssl.trustmanager.algorithm', action: 'accept', reason: NO_EFFECT},
  {key: 'ssl.secure.random.implementation', action: 'accept', reason: NO_EFFECT},
  {key: 'ssl.allow.', action: 'accept', reason: NO_EFFECT},
  {key: 'sasl.kerberos.', action: 'warn', reason: 'GSSAPI (Kerberos) is not supported (PLAIN, SCRAM-SHA-256, SCRAM-SHA-512 are)'},
  {key: 'sasl.oauthbearer.', action: 'warn', reason: 'OAUTHBEARER is not supported (PLAIN, SCRAM-SHA-256, SCRAM-SHA-512 are)'},
  {key: 'sasl.login.', action: 'accept', reason: `${NO_EFFECT}: no token refresh for PLAIN and SCRAM`},
  {key: 'sasl.server.max.receive.size', action: 'accept', reason: NO_EFFECT},
  {key: 'create.topic.policy.class.name', action: 'refuse', showValue: true, reason: 'topic creation policies are not enforced yet'},
  {key: 'alter.config.policy.class.name', action: 'refuse', showValue: true, reason: 'config alteration policies are not enforced yet'},
  {key: 'client.quota.callback.class', action: 'refuse', showValue: true, reason: 'client quotas are not enforced yet'},
  // --- tiered storage: refuse the switch, ignore its tuning (Kafka ignores it too while off) ------
  {key: 'remote.log.storage.system.enable', action: 'refuse', when: isTrue, showValue: true,
    reason: 'tiered storage is not supported yet: every segment stays on local disk'},
  {key: 'remote.log.', action: 'accept', reason: 'tiered storage tuning; no effect while remote.log.storage.system.enable=false'},
  {key: 'log.local.retention.', action: 'accept', reason: 'tiered storage tuning; no effect while remote.log.storage.system.enable=false'},
  // --- security-related tuning without the feature: warn -----------------------------------------
  {key: 'delegation.token.', action: 'warn', reason: 'delegation tokens are not supported yet'},
  {key: 'password.encoder.', action: 'warn', reason: 'dynamic password configs are not supported'},
  // --- quotas and connection limits: warn ----------------------------------------------------------
  {key: 'quota.', action: 'warn', reason: NO_QUOTAS},
  {key: 'client.quota.', action: 'warn', reason: NO_QUOTAS},
  {key: 'replication.quota.', action: 'warn', reason: NO_QUOTAS},
  {key: 'alter.log.dirs.replication.quota.', action: 'warn', reason: NO_QUOTAS},
  {key: 'controller.quota.', action: 'warn', reason: NO_QUOTAS},
  {key: 'leader.replication.throttled.rate', action: 'warn', reason: NO_QUOTAS},
  {key: 'follower.replication.throttled.rate', action: 'warn', reason: NO_QUOTAS},
  {key: 'replica.alter.log.dirs.io.max.bytes.per.second', action: 'warn', reason: NO_QUOTAS},
  {key: 'max.connections', action: 'warn', reason: 'connection limits are not enforced'},
  {key: 'max.connections.per.ip', action: 'warn', reason: 'connection limits are not enforced'},
  {key: 'max.connections.per.ip.overrides', action: 'warn', reason: 'connection limits are not enforced'},
  {key: 'max.connection.creation.rate', action: 'warn', reason: 'connection limits are not enforced'},
  // --- features kts lacks: warn ---------------------------------------------------------------------
  {key: 'group.coordinator.rebalance.protocols', action: 'warn', when: listHasAny('consumer', 'share'), showValue: true,
    reason: 'only the classic group protocol is implemented'},
  {key: 'group.share.enable', action: 'warn', when: isTrue, showValue: true, reason: 'share groups are not supported'},
  {key: 'replica.selector.class', action: 'warn', showValue: true, reason: 'fetching from followers (KIP-392) is not supported'},
  {key: 'metric.reporters', action: 'warn', showValue: true, reason: 'metric reporters are not loaded (no JVM)'},
  {key: 'kafka.metrics.reporters', action: 'warn', showValue: true, reason: 'metric reporters are not loaded (no JVM)'},
  {key: 'zookeeper.', action: 'warn', reason: 'kts runs in KRaft mode only; ZooKeeper is not used'},
  // --- accepted, no effect (threads, buffers, JVM/log4j tuning, vendor keys) ---------------------------
  {key: 'num.network.threads', action: 'accept', reason: `${NO_EFFECT}: one event loop serves all connections`},
  {key: 'num.io.threads', action: 'accept', reason: `${NO_EFFECT}: one event loop serves all requests`},
  {key: 'background.threads', action: 'accept', reason: NO_EFFECT},
  {key: 'num.replica.fetchers', action: 'accept', reason: NO_EFFECT},
  {key: 'num.replica.alter.log.dirs.threads', action: 'accept', reason: NO_EFFECT},
  {key: 'socket.send.buffer.bytes', action: 'accept', reason: NO_EFFECT},
  {key: 'socket.receive.buffer.bytes', action: 'accept', reason: NO_EFFECT},
  {key: 'queued.max.requests', action: 'accept', reason: NO_EFFECT},
  {key: 'metric.', action: 'accept', reason: NO_EFFECT},
  {key: 'metrics.', action: 'accept', reason: NO_EFFECT},
  {key: 'kafka.metrics.', action: 'accept', reason: NO_EFFECT},
  {key: 'auto.include.jmx.reporter', action: 'accept', reason: NO_EFFECT},
  {key: 'log4j.', action: 'accept', reason: NO_EFFECT},
  {key: 'confluent.', action: 'accept', reason: 'vendor keys, not Apache Kafka\'s'},
  {key: 'alter.log.dirs.', action: 'accept', reason: NO_EFFECT},
]

/**
 * Keys kts reads per listener as `listener.name.<listener>.<key>` (and, for `sasl.jaas.config`,
 * `listener.name.<listener>.<mechanism>.sasl.jaas.config`), as Kafka's `ListenerName.configPrefix()`.
 */
export const PER_LISTENER_KEYS: ReadonlySet<string> = new Set([
  'ssl.keystore.type', 'ssl.keystore.location', 'ssl.keystore.password', 'ssl.key.password', 'ssl.keystore.key',
  'ssl.keystore.certificate.chain', 'ssl.truststore.type', 'ssl.truststore.location', 'ssl.truststore.password',
  'ssl.truststore.certificates', 'ssl.client.auth', 'ssl.enabled.protocols', 'ssl.protocol', 'ssl.cipher.suites',
  'ssl.endpoint.identification.algorithm', 'ssl.principal.mapping.rules',
  'sasl.enabled.mechanisms', 'sasl.jaas.config', 'connections.max.reauth.ms',
])

const LISTENER_KEY_ROW: UnsupportedConfig = {key: 'listener.name.', action: 'accept', reason: 'per-listener security setting'}
const LISTENER_OTHER_ROW: UnsupportedConfig = {key: 'listener.name.', action: 'refuse',
  reason: 'this per-listener setting is not supported (per-listener ssl.*, sasl.* and connections.max.reauth.ms are)'}
const MECHANISM_PREFIX = /^(plain|scram-sha-256|scram-sha-512|gssapi|oauthbearer)\./

/** The row that governs `key` (ignoring `when`), or undefined. */
export function unsupportedConfigRow(key: string): UnsupportedConfig | undefined {
  const listener = /^listener\.name\.[^.]+\.(.+)$/.exec(key)
  if (listener) {
    const rest = listener[1].replace(MECHANISM_PREFIX, '')
    const row = UNSUPPORTED_CONFIGS.find((r) => (r.key.endsWith('.') ? rest.startsWith(r.key) : rest === r.key))
    if (row) return row
    return PER_LISTENER_KEYS.has(rest) ? LISTENER_KEY_ROW : LISTENER_OTHER_ROW
  }
  return UNSUPPORTED_CONFIGS.find((r) => (r.key.endsWith('.') ? key.startsWith(r.key) : key === r.key))
}

/** One key set in the config that a refuse/warn row matched. */
export interface UnsupportedFinding {
  key: string
  value: string
  row: UnsupportedConfig
  /** `<key>[=<value>]: <reason>` (value only for rows with showValue). */
  text: string
}

/**
 * The keys of `props` that kts refuses or warns about, sorted by key. Keys governed by an
 * `accept` row, or by a row whose `when` does not hold, are in neither list.
 */
export function findUnsupportedConfigs(props: Readonly<Record<string, string>>): {refused: UnsupportedFinding[], warned: UnsupportedFinding[]} {
  const refused: UnsupportedFinding[] = []
  const warned: UnsupportedFinding[] = []
  for (const key of Object.keys(props).sort()) {
    const row = unsupportedConfigRow(key)
    if (row === undefined || row.action === 'accept') continue
    const value = String(props[key]).trim()
    if (row.when && !row.when(value)) continue
    const finding = {key, value, row, text: `${key}${row.showValue ? `=${value}` : ''}: ${row.reason}`}
    ;(row.action === 'refuse' ? refused : warned).push(finding)
  }
  return {refused, warned}
}

/**
 * Checks a node's effective properties against the table before start-up.
 * @returns the WARN lines to log once each (`The configuration 'quota.window.num' has no effect in kts: ...`)
 * @throws ConfigError one line naming the first refused key (and how many more), e.g.
 *   `Unsupported configuration authorizer.class.name=kafka.security.authorizer.AclAuthorizer: kts implements only ...`
 */
export function checkUnsupportedConfigs(props: Readonly<Record<string, string>>): string[] {
  const {refused, warned} = findUnsupportedConfigs(props)
  if (refused.length > 0) {
    const more = refused.length > 1 ? ` (also refused: ${refused.slice(1).map((f) => f.key).join(', ')})` : ''
    throw new ConfigError(`Unsupported configuration ${refused[0].text}${more}`)
  }
  return warned.map((f) => `The configuration '${f.key}' has no effect in kts: ${f.row.reason}`)
}

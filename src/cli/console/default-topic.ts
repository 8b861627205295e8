/**
 * The topic of `kts console-consumer` run without `--topic` and `--include` (a deliberate
 * difference from Kafka's tool, which requires one of them): the cluster's only topic besides the
 * internal ones. Otherwise Kafka's usage error, followed by the topics the user could pick.
 */
import {connectAdmin, isInternalTopic, toKafkaMessage, type ClientProperties} from '../admin/admin-client.js'
import {UsageError} from '../errors.js'

/** Kafka's message when neither (or both) of `--topic`/`--include` is given. */
export const TOPIC_REQUIRED = 'Exactly one of --include/--topic is required.'

/** Internal topics (`__consumer_offsets`, `__transaction_state`, `__share_group_state`, ...): never a default. */
export function isInternalOrReserved(name: string): boolean {
  return isInternalTopic(name) || name.startsWith('__')
}

/**
 * Picks the topic from the names on the cluster.
 * @throws UsageError `Exactly one of --include/--topic is required. Topics on <bootstrap>: a, b` (or
 *   `... <bootstrap> has no topics besides internal ones.`) unless exactly one non-internal topic exists.
 */
export function pickDefaultTopic(names: readonly string[], bootstrapServer: string): string {
  const candidates = names.filter((n) => !isInternalOrReserved(n)).sort()
  if (candidates.length === 1) return candidates[0]
  if (candidates.length === 0) throw new UsageError(`${TOPIC_REQUIRED} The cluster at ${bootstrapServer} has no topics besides internal ones.`)
  throw new UsageError(`${TOPIC_REQUIRED} Topics on ${bootstrapServer}: ${candidates.join(', ')}`)
}

/**
 * Lists the topics of the cluster (a kafkajs Admin with the consumer's properties, so SSL/SASL
 * work) and picks the default topic.
 * @throws UsageError as `pickDefaultTopic`, or `Exactly one of --include/--topic is required.
 *   (Could not list the topics of <bootstrap>: <reason>)` when the cluster cannot be reached.
 */
export async function topicFromCluster(bootstrapServer: string, properties: ClientProperties): Promise<string> {
  let names: string[]
  try {
    const admin = await connectAdmin({bootstrapServer, properties, clientId: properties['client.id'] ?? 'console-consumer'})
    try {
      names = await admin.listTopics()
    } finally {
      await admin.disconnect().catch(() => undefined)
    }
  } catch (err) {
    throw new UsageError(`${TOPIC_REQUIRED} (Could not list the topics of ${bootstrapServer}: ${toKafkaMessage(err)})`)
  }
  return pickDefaultTopic(names, bootstrapServer)
}

/**
 * Topic name checks with Kafka's messages (Kafka `org.apache.kafka.common.internals.Topic`).
 */
export const MAX_TOPIC_NAME_LENGTH = 249
const LEGAL = /^[a-zA-Z0-9._-]+$/

/** Kafka's message for an illegal topic name, or null when legal. */
export function topicNameProblem(name: string): string | null {
  if (name.length === 0) return 'Topic name is illegal, it can\'t be empty'
  if (name === '.' || name === '..') return 'Topic name cannot be "." or ".."'
  if (name.length > MAX_TOPIC_NAME_LENGTH) return `Topic name is illegal, it can't be longer than ${MAX_TOPIC_NAME_LENGTH} characters, topic name: ${name}`
  if (!LEGAL.test(name)) return `Topic name "${name}" is illegal, it contains a character other than ASCII alphanumerics, '.', '_' and '-'`
  return null
}

/** Topic names collide when equal after mapping '.' to '_' (metric names). */
export function unifyCollisionChars(name: string): string {
  return name.replace(/\./g, '_')
}

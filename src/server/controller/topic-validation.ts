/**
 * Topic name checks with Kafka's messages (Kafka `org.apache.kafka.common.internals.Topic`).
 */
export const MAX_TOPIC_NAME_LENGTH = 249
const LEGAL = /^[a-zA-Z0-9._-]+$/

/**
 * Kafka's message for an illegal topic name, or null when legal (Kafka 3.9 `Topic.validate` /
 * `detectInvalidTopic`), e.g. `Topic name is invalid: 'a b' contains one or more characters other
 * than ASCII alphanumerics, '.', '_' and '-'`.
 */
export function topicNameProblem(name: string): string | null {
  const prefix = 'Topic name is invalid: '
  if (name.length === 0) return prefix + 'the empty string is not allowed'
  if (name === '.' || name === '..') return prefix + `'${name}' is not allowed`
  if (name.length > MAX_TOPIC_NAME_LENGTH) return prefix + `the length of '${name}' is longer than the max allowed length ${MAX_TOPIC_NAME_LENGTH}`
  if (!LEGAL.test(name)) return prefix + `'${name}' contains one or more characters other than ASCII alphanumerics, '.', '_' and '-'`
  return null
}

/** Topic names collide when equal after mapping '.' to '_' (metric names). */
export function unifyCollisionChars(name: string): string {
  return name.replace(/\./g, '_')
}

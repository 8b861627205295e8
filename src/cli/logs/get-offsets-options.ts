/**
 * Options of `kts get-offsets` (Kafka 3.9 `org.apache.kafka.tools.GetOffsetShell`): the `--time`
 * spec, the topic/partition filters and their messages. Pure functions.
 */
import {TerseError} from '../errors.js'

/** Kafka's prefix of every failure of the tool (`GetOffsetShell.mainNoExit`). */
export const ERROR_PREFIX = 'Error occurred: '

/** A failure printed as `Error occurred: <message>`, exit 1. */
export function getOffsetsError(message: string): TerseError {
  return new TerseError(ERROR_PREFIX + message)
}

/**
 * `--time`: `latest`/-1, `earliest`/-2, `max-timestamp`/-3, `earliest-local`/-4, `latest-tiered`/-5,
 * or a timestamp in ms → the ListOffsets timestamp.
 * @throws TerseError `Malformed time argument x. Please use -1 or latest / ...`
 */
export function parseOffsetSpec(time: string): number {
  const named: Record<string, number> = {'earliest': -2, 'latest': -1, 'max-timestamp': -3, 'earliest-local': -4, 'latest-tiered': -5}
  if (named[time] !== undefined) return named[time]
  if (!/^[+-]?\d+$/.test(time) || !Number.isSafeInteger(Number(time))) {
    throw getOffsetsError(`Malformed time argument ${time}. Please use -1 or latest / -2 or earliest / -3 or max-timestamp / -4 or earliest-local / -5 or latest-tiered, or a specified long format timestamp`)
  }
  return Number(time)
}

/** Kafka `TopicFilter.IncludeList`: the raw regex cleaned as Kafka does, matched against the whole name. */
export function includeList(rawRegex: string): (topic: string) => boolean {
  const regex = rawRegex.trim().replaceAll(',', '|').replaceAll(' ', '').replace(/^["']+/, '').replace(/["']+$/, '')
  let re: RegExp
  try {
    re = new RegExp(`^(?:${regex})$`, 'u')
  } catch {
    throw getOffsetsError(`${regex} is an invalid regex.`)
  }
  return (topic) => re.test(topic)
}

/** A topic-partition filter (Kafka `TopicPartitionFilter`). */
export interface TopicPartitionFilter {
  isTopicAllowed(topic: string): boolean
  isTopicPartitionAllowed(topic: string, partition: number): boolean
}

function parseIntStrict(s: string): number {
  const n = Number(s)
  if (!/^\d+$/.test(s) || n > 2147483647) throw getOffsetsError(`For input string: "${s}"`)
  return n
}

/**
 * `--topic-partitions 't1:1,t2:0-3,t3,t4:5-,:-3'`: each rule is `[topic regex][:N | :N-M | :N- | :-M]`
 * (lower bound inclusive, upper exclusive); a partition passes when any rule accepts it.
 * @throws TerseError `Invalid rule specification: <rule>`
 */
export function topicPartitionsFilter(spec: string): TopicPartitionFilter {
  const rules = spec.split(',').map((rule) => {
    const m = /^([^:,]*)(?::(?:([0-9]*)|(?:([0-9]*)-([0-9]*))))?$/.exec(rule)
    if (m === null) throw getOffsetsError(`Invalid rule specification: ${rule}`)
    const group = (i: number): string | null => (m[i] !== undefined && m[i] !== '' ? m[i] : null)
    const topic = includeList(group(1) ?? '.*')
    let partition: (p: number) => boolean
    const exact = group(2)
    if (exact !== null) {
      const n = parseIntStrict(exact)
      partition = (p) => p === n
    } else {
      const lo = group(3) !== null ? parseIntStrict(group(3)!) : 0
      const hi = group(4) !== null ? parseIntStrict(group(4)!) : 2147483647
      partition = (p) => p >= lo && p < hi
    }
    return {topic, partition}
  })
  return {
    isTopicAllowed: (t) => rules.some(r => r.topic(t)),
    isTopicPartitionAllowed: (t, p) => rules.some(r => r.topic(t) && r.partition(p)),
  }
}

/**
 * `--topic` (regex, default all) and `--partitions 0,1` (default all).
 * @throws TerseError `--partitions expects a comma separated list of numeric partition ids, but received: x`
 */
export function topicAndPartitionsFilter(topic: string | undefined, partitions: string | undefined): TopicPartitionFilter {
  const matches = includeList(topic ?? '.*')
  let ids: Set<number> | null = null
  if (partitions !== undefined && partitions !== '') {
    const parts = partitions.split(',')
    if (!parts.every(p => /^[+-]?\d+$/.test(p) && Math.abs(Number(p)) <= 2147483647)) {
      throw getOffsetsError(`--partitions expects a comma separated list of numeric partition ids, but received: ${partitions}`)
    }
    ids = new Set(parts.map(Number))
  }
  return {
    isTopicAllowed: matches,
    isTopicPartitionAllowed: (t, p) => matches(t) && (ids === null || ids.has(p)),
  }
}

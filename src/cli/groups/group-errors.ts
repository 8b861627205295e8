/**
 * Failures of `kts consumer-groups` and the Java exception text Kafka's tool prints for broker error
 * codes (`org.apache.kafka.common.errors.GroupNotEmptyException: The group is not empty.`, from
 * Kafka `Errors` [3.9]).
 */
import {errorMessage, errorName} from '../../protocol/errors.js'
import {TerseError} from '../errors.js'

/**
 * A run-time failure of a consumer group command. Kafka prints it on stdout as
 * `\nError: Executing consumer group command failed due to <message>` (see `GroupCommandError.line`).
 */
export class GroupCommandError extends TerseError {
  constructor(message: string, opts: {kafkaErrorCode?: number, cause?: unknown} = {}) {
    super(message, opts)
    this.name = 'GroupCommandError'
  }
}

/** A broker error code answered to one of the tool's requests. */
export class GroupKafkaError extends GroupCommandError {
  readonly code: number

  constructor(code: number, brokerMessage?: string | null) {
    super(javaExceptionText(code, brokerMessage), {kafkaErrorCode: code})
    this.name = 'GroupKafkaError'
    this.code = code
  }
}

/** Exception classes whose name is not the PascalCase of the error name + `Exception`. */
const EXCEPTION_CLASS: Record<string, string> = {
  UNKNOWN_SERVER_ERROR: 'UnknownServerException',
  REQUEST_TIMED_OUT: 'TimeoutException',
  OFFSET_METADATA_TOO_LARGE: 'OffsetMetadataTooLarge',
  TOPIC_AUTHORIZATION_FAILED: 'TopicAuthorizationException',
  GROUP_AUTHORIZATION_FAILED: 'GroupAuthorizationException',
  CLUSTER_AUTHORIZATION_FAILED: 'ClusterAuthorizationException',
  NON_EMPTY_GROUP: 'GroupNotEmptyException',
  GROUP_ID_NOT_FOUND: 'GroupIdNotFoundException',
  GROUP_SUBSCRIBED_TO_TOPIC: 'GroupSubscribedToTopicException',
  INVALID_TOPIC_EXCEPTION: 'InvalidTopicException',
  NOT_LEADER_OR_FOLLOWER: 'NotLeaderOrFollowerException',
  UNSTABLE_OFFSET_COMMIT: 'UnstableOffsetCommitException',
  INVALID_CONFIG: 'InvalidConfigurationException',
  UNKNOWN_TOPIC_OR_PARTITION: 'UnknownTopicOrPartitionException',
  // Produce errors (Kafka `Errors`), for the perf producer's failure lines.
  CORRUPT_MESSAGE: 'CorruptRecordException',
  MESSAGE_TOO_LARGE: 'RecordTooLargeException',
  RECORD_LIST_TOO_LARGE: 'RecordBatchTooLargeException',
  NETWORK_EXCEPTION: 'NetworkException',
  KAFKA_STORAGE_ERROR: 'KafkaStorageException',
  INVALID_RECORD: 'InvalidRecordException',
  OUT_OF_ORDER_SEQUENCE_NUMBER: 'OutOfOrderSequenceException',
  DUPLICATE_SEQUENCE_NUMBER: 'DuplicateSequenceException',
  TRANSACTIONAL_ID_AUTHORIZATION_FAILED: 'TransactionalIdAuthorizationException',
}

/** Kafka's messages for group errors our shared table (`src/protocol/errors.ts`) does not carry. */
const GROUP_MESSAGES: Record<string, string> = {
  OFFSET_METADATA_TOO_LARGE: 'The metadata field of the offset request was too large.',
  INVALID_GROUP_ID: 'The configured groupId is invalid.',
  INVALID_COMMIT_OFFSET_SIZE: 'The committing offset data size is not valid.',
  TOPIC_AUTHORIZATION_FAILED: 'Topic authorization failed.',
  GROUP_AUTHORIZATION_FAILED: 'Group authorization failed.',
  NON_EMPTY_GROUP: 'The group is not empty.',
  GROUP_ID_NOT_FOUND: 'The group id does not exist.',
  GROUP_SUBSCRIBED_TO_TOPIC: 'Deleting offsets of a topic is forbidden while the consumer group is actively subscribed to it.',
  UNSTABLE_OFFSET_COMMIT: 'There are unstable offsets that need to be cleared.',
}

/** `org.apache.kafka.common.errors.<Class>` for an error code. */
export function javaExceptionClass(code: number): string {
  const name = errorName(code)
  const cls = EXCEPTION_CLASS[name] ?? name.toLowerCase().replace(/(^|_)([a-z])/g, (_m, _s, c: string) => c.toUpperCase()) + 'Exception'
  return `org.apache.kafka.common.errors.${cls}`
}

/** `<class>: <message>` as Java's `Throwable.toString()` prints a Kafka exception (broker message first, else Kafka's default). */
export function javaExceptionText(code: number, brokerMessage?: string | null): string {
  const name = errorName(code)
  const message = brokerMessage || GROUP_MESSAGES[name] || errorMessage(code)
  return `${javaExceptionClass(code)}: ${message}`
}

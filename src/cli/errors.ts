/**
 * CLI error types. Every failure of a `kts` command ends as exactly one line on stderr and exit
 * code 1 (Kafka's tools exit 1 for usage errors too: `printUsageAndExit`); see `KtsCommand.catch()`.
 */

/**
 * An error whose message is printed as is, without a stack trace (Kafka's `TerseException`).
 * `kafkaErrorCode` is set when the failure came from a broker error code (shown in `--json` output).
 */
export class TerseError extends Error {
  readonly kafkaErrorCode?: number

  constructor(message: string, opts: {kafkaErrorCode?: number, cause?: unknown} = {}) {
    super(message, opts.cause === undefined ? undefined : {cause: opts.cause})
    this.name = 'TerseError'
    if (opts.kafkaErrorCode !== undefined) this.kafkaErrorCode = opts.kafkaErrorCode
  }
}

/**
 * Bad command-line usage (missing/conflicting options, malformed values): printed as one line, exit 1,
 * like Kafka's `CommandLineUtils.printUsageAndExit` / argparse4j errors.
 */
export class UsageError extends TerseError {
  constructor(message: string) {
    super(message)
    this.name = 'UsageError'
  }
}

/** Exit code for every failure (Kafka's tools use 1, usage errors included). */
export const EXIT_FAILURE = 1

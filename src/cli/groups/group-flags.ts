/**
 * oclif flags of `kts consumer-groups`, with kafka-consumer-groups.sh's option names and
 * descriptions, and the runner shared by the Kafka form (`kts consumer-groups --describe ...`) and
 * the subcommands (`kts consumer-groups describe ...`).
 */
import {Flags} from '@oclif/core'
import {connectionFlags} from '../flags.js'
import {UsageError} from '../errors.js'
import {GroupCommandError} from './group-errors.js'
import {validateGroupOptions, type GroupAction, type RawGroupFlags} from './group-options.js'
import {GroupService, logWarn, type GroupCommandResult, type Output} from './group-service.js'
import type {Chunk} from './render-groups.js'
import {NO_PROGRESS, progressWanted, ttyProgress} from './progress.js'
import {paintLines, PLAIN, stderrStyle, stdoutStyle, type Style} from '../output/style.js'

export {normalizeOptionalArgs} from './group-options.js'
export type {GroupCommandResult} from './group-service.js'

/** Everything but the action switches. */
export const groupOptionFlags = {
  ...connectionFlags,
  group: Flags.string({summary: 'The consumer group we wish to act on (repeatable).', helpValue: '<String: consumer group>', multiple: true, multipleNonGreedy: true}),
  'all-groups': Flags.boolean({summary: 'Apply to all consumer groups.'}),
  topic: Flags.string({
    summary: 'The topic whose consumer group information should be deleted or topic whose should be included in the reset offset process. ' +
      'In `reset-offsets` case, partitions can be specified using this format: `topic1:0,1,2`, where 0,1,2 are the partition to be included in the process. ' +
      'Reset-offsets also supports multiple topic inputs.',
    helpValue: '<String: topic>', multiple: true, multipleNonGreedy: true,
  }),
  'all-topics': Flags.boolean({summary: 'Consider all topics assigned to a group in the `reset-offsets` process.'}),
  timeout: Flags.string({
    summary: 'The timeout that can be set for some use cases. For example, it can be used when describing the group to specify the maximum amount of time in milliseconds to wait before the group stabilizes (when the group is just created, or is going through some changes). (default: 5000)',
    helpValue: '<Long: timeout (ms)>',
  }),
  'dry-run': Flags.boolean({summary: 'Only show results without executing changes on Consumer Groups. Supported operations: reset-offsets.'}),
  execute: Flags.boolean({summary: 'Execute operation. Supported operations: reset-offsets.'}),
  export: Flags.boolean({summary: 'Export operation execution to a CSV file. Supported operations: reset-offsets.'}),
  'to-offset': Flags.string({summary: 'Reset offsets to a specific offset.', helpValue: '<Long: offset>'}),
  'from-file': Flags.string({summary: 'Reset offsets to values defined in CSV file.', helpValue: '<String: path to CSV file>'}),
  'to-datetime': Flags.string({summary: 'Reset offsets to offset from datetime. Format: \'YYYY-MM-DDTHH:mm:SS.sss\'', helpValue: '<String: datetime>'}),
  'by-duration': Flags.string({summary: 'Reset offsets to offset by duration from current timestamp. Format: \'PnDTnHnMnS\'', helpValue: '<String: duration>'}),
  'to-earliest': Flags.boolean({summary: 'Reset offsets to earliest offset.'}),
  'to-latest': Flags.boolean({summary: 'Reset offsets to latest offset.'}),
  'to-current': Flags.boolean({summary: 'Reset offsets to current offset.'}),
  'shift-by': Flags.string({summary: 'Reset offsets shifting current offset by \'n\', where \'n\' can be positive or negative.', helpValue: '<Long: number-of-offsets>'}),
  members: Flags.boolean({summary: 'Describe members of the group. This option may be used with \'--describe\' and \'--bootstrap-server\' options only.'}),
  verbose: Flags.boolean({summary: 'Provide additional information, if any, when describing the group. This option may be used with \'--offsets\'/\'--members\'/\'--state\' and \'--bootstrap-server\' options only.'}),
  offsets: Flags.boolean({summary: 'Describe the group and list all topic partitions in the group along with their offset lag. This is the default sub-action of and may be used with \'--describe\' and \'--bootstrap-server\' options only.'}),
  state: Flags.string({
    summary: 'When specified with \'--describe\', includes the state of the group. When specified with \'--list\', it displays the state of all groups. It can also be used to list groups with specific states (e.g. --state stable,empty). The value is optional.',
    helpValue: '[String]',
  }),
  type: Flags.string({
    summary: 'When specified with \'--list\', it displays the types of all the groups. It can also be used to list groups with specific types (e.g. --type classic,consumer). The value is optional.',
    helpValue: '[String]',
  }),
}

/** The five action switches of the Kafka form. */
export const groupActionFlags = {
  list: Flags.boolean({summary: 'List all consumer groups.'}),
  describe: Flags.boolean({summary: 'Describe consumer group and list offset lag (number of messages not yet processed) related to given group.'}),
  delete: Flags.boolean({summary: 'Pass in groups to delete topic partition offsets and ownership information over the entire consumer group. For instance --group g1 --group g2'}),
  'reset-offsets': Flags.boolean({summary: 'Reset offsets of consumer group. Supports one consumer group at the time, and instances should be inactive. Has 2 execution options: --dry-run (the default) to plan which offsets to reset, and --execute to update the offsets.'}),
  'delete-offsets': Flags.boolean({summary: 'Delete offsets of consumer group. Supports one consumer group at the time, and multiple topics.'}),
}

/** What the run printed as reported errors (for the exit code). */
class CommandOutput implements Output {
  readonly errors: string[] = []
  readonly progress
  /** Style of stdout (table headers); colours apply only on a colour terminal, never with --json. */
  readonly style: Style

  constructor(private readonly json: boolean) {
    this.progress = progressWanted(json) ? ttyProgress(process.stderr) : NO_PROGRESS
    this.style = json ? PLAIN : stdoutStyle()
  }

  write(chunk: Chunk): void {
    if (this.json) return
    this.progress.clear()
    const style = chunk.stderr ? stderrStyle() : this.style
    const text = chunk.kind === undefined || !style.enabled ? chunk.text : paintLines(chunk.text, chunk.kind === 'error' ? style.error : style.warning)
    ;(chunk.stderr ? process.stderr : process.stdout).write(text)
  }

  error(message: string): void {
    this.errors.push(message)
  }

  warn(message: string): void {
    this.progress.clear()
    logWarn(message)
  }
}

/**
 * Validates the flags, runs the action and prints Kafka's text output unless `json`.
 *
 * Exit codes and streams: usage errors → one line on stderr, exit 1. Run-time failures → Kafka's
 * `\nError: Executing consumer group command failed due to <message>` on stdout, `<message>` on
 * stderr, exit 1. Reported outcomes (missing group, reset refused, failed deletion) print Kafka's
 * text and exit 1 too (Kafka's tool exits 0 after `printError`; scripts need to tell). With
 * `--json` the result is printed (with an `errors` list) and the exit code is the same.
 */
export async function runGroupCommand(raw: RawGroupFlags, json: boolean, action?: GroupAction): Promise<GroupCommandResult & {errors?: string[]}> {
  const out = new CommandOutput(json)
  let service: GroupService | undefined
  let result: GroupCommandResult
  try {
    const opts = validateGroupOptions(action === undefined ? raw : {...raw, [action]: true})
    for (const w of opts.warnings) process.stderr.write(paintLines(w, stderrStyle().warning) + '\n')
    service = GroupService.create(opts, out)
    result = await service.run()
  } catch (err) {
    out.progress.clear()
    if (err instanceof UsageError || json) throw err
    const message = err instanceof Error ? err.message : String(err)
    process.stdout.write(`\n${stdoutStyle().error(`Error: Executing consumer group command failed due to ${message}`)}\n`)
    throw err instanceof GroupCommandError ? err : new GroupCommandError(message, {cause: err})
  } finally {
    service?.close()
  }
  if (out.errors.length === 0) return result
  if (json) {
    process.exitCode = 1
    return {...result, errors: out.errors}
  }
  const more = out.errors.length > 1 ? ` (and ${out.errors.length - 1} more error${out.errors.length > 2 ? 's' : ''})` : ''
  throw new GroupCommandError(out.errors[0] + more)
}

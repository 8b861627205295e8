/**
 * oclif flags of `kts topics`, with kafka-topics.sh's option names and descriptions, and the
 * runner shared by the Kafka form (`kts topics --create`) and the subcommands (`kts topics create`).
 */
import {Flags} from '@oclif/core'
import {connectionFlags} from '../flags.js'
import {canPrompt, confirm} from '../output/prompt.js'
import {PLAIN, stdoutStyle} from '../output/style.js'
import type {RawTopicFlags, TopicAction, TopicCommandOptions} from './topic-options.js'
import {validateTopicOptions} from './topic-options.js'
import {TopicCommandError, TopicService} from './topic-service.js'
import {PERIOD_UNDERSCORE_WARNING, renderCreated, renderDescribe, renderList, renderTopicCommandError} from './render-topics.js'

/** Everything but the action switches. */
export const topicOptionFlags = {
  ...connectionFlags,
  topic: Flags.string({summary: 'The topic to create, alter, describe or delete. It also accepts a regular expression, except for --create option.', helpValue: '<String: topic>'}),
  'topic-id': Flags.string({summary: 'The topic-id to describe. This is used only with --bootstrap-server option for describing topics.', helpValue: '<String: topic-id>'}),
  partitions: Flags.string({summary: 'The number of partitions for the topic being created or altered (WARNING: If partitions are increased for a topic that has a key, the partition logic or ordering of the messages will be affected). If not supplied for create, defaults to the cluster default.', helpValue: '<Integer: # of partitions>'}),
  'replication-factor': Flags.string({summary: 'The replication factor for each partition in the topic being created. If not supplied, defaults to the cluster default.', helpValue: '<Integer: replication factor>'}),
  'replica-assignment': Flags.string({summary: 'A list of manual partition-to-broker assignments for the topic being created or altered.', helpValue: '<String: broker_id_for_part1_replica1 : broker_id_for_part1_replica2 , ...>'}),
  config: Flags.string({summary: 'A topic configuration override for the topic being created (repeatable).', helpValue: '<String: name=value>', multiple: true}),
  'if-exists': Flags.boolean({summary: 'if set when altering or deleting or describing topics, the action will only execute if the topic exists.'}),
  'if-not-exists': Flags.boolean({summary: 'if set when creating topics, the action will only execute if the topic does not already exist.'}),
  'exclude-internal': Flags.boolean({summary: 'exclude internal topics when running list or describe command. The internal topics will be listed by default'}),
  'under-replicated-partitions': Flags.boolean({summary: 'if set when describing topics, only show under replicated partitions'}),
  'unavailable-partitions': Flags.boolean({summary: 'if set when describing topics, only show partitions whose leader is not available'}),
  'under-min-isr-partitions': Flags.boolean({summary: 'if set when describing topics, only show partitions whose isr count is less than the configured minimum.'}),
  'at-min-isr-partitions': Flags.boolean({summary: 'if set when describing topics, only show partitions whose isr count is equal to the configured minimum.'}),
  'topics-with-overrides': Flags.boolean({summary: 'if set when describing topics, only show topics that have overridden configs'}),
  yes: Flags.boolean({summary: 'kts only: with --delete, do not ask for confirmation when --topic matches more than one topic (asked only on a terminal).'}),
}

/** The five action switches of the Kafka form. */
export const topicActionFlags = {
  create: Flags.boolean({summary: 'Create a new topic.'}),
  list: Flags.boolean({summary: 'List all available topics.'}),
  describe: Flags.boolean({summary: 'List details for the given topics.'}),
  alter: Flags.boolean({summary: 'Alter the number of partitions and replica assignment.'}),
  delete: Flags.boolean({summary: 'Delete a topic'}),
}

/** JSON result of a topic command (`--json`). */
export type TopicCommandResult =
  | {action: 'create', topic: string, created: boolean}
  | {action: 'list', topics: string[]}
  | {action: 'describe', topics: unknown[]}
  | {action: 'alter', topics: string[]}
  | {action: 'delete', topics: string[], cancelled?: true}

/**
 * Lists the topics a `--delete` would delete and asks y/N (default No) on the terminal.
 * Returns true to go ahead.
 */
async function confirmTopicDeletion(names: string[], pattern: string): Promise<boolean> {
  process.stdout.write(`--topic ${pattern} matches ${names.length} topics:\n${names.map((n) => `  ${n}\n`).join('')}`)
  return confirm(`Delete these ${names.length} topics?`)
}

/**
 * Validates the flags, runs the action and prints Kafka's text output unless `json`.
 * Server-side failures print `Error while executing topic command : <message>` on stdout and are
 * rethrown (the base command then writes the message on stderr and exits 1).
 */
export async function runTopicCommand(raw: RawTopicFlags, json: boolean, action?: TopicAction): Promise<TopicCommandResult> {
  const opts: TopicCommandOptions = validateTopicOptions(action === undefined ? raw : {...raw, [action]: true})
  const style = json ? PLAIN : stdoutStyle()
  const out = (lines: string[]): void => {
    if (!json) process.stdout.write(lines.map((l) => l + '\n').join(''))
  }
  let service: TopicService | undefined
  try {
    service = await TopicService.connect(opts)
    switch (opts.action) {
      case 'create': {
        const r = await service.create(opts)
        if (r.created) out(renderCreated(r.topic).map((l) => l === PERIOD_UNDERSCORE_WARNING ? style.warning(l) : l))
        return {action: 'create', ...r}
      }
      case 'list': {
        const topics = await service.list(opts)
        out(renderList(topics))
        return {action: 'list', topics}
      }
      case 'describe': {
        const r = await service.describe(opts)
        out(renderDescribe(r.topics, r.filter))
        return {action: 'describe', topics: r.topics}
      }
      case 'alter': return {action: 'alter', topics: await service.alter(opts)}
      default: {
        // kts only: on a terminal, deleting several topics is confirmed first (never in a pipe,
        // with --json or --yes: then all matches are deleted, as Kafka's tool does).
        const ask = !json && !opts.yes && canPrompt() ? (names: string[]) => confirmTopicDeletion(names, opts.topic ?? '') : undefined
        const deleted = await service.delete(opts, ask)
        if (deleted === null) {
          process.stderr.write('No topic was deleted.\n')
          process.exitCode = 1
          return {action: 'delete', topics: [], cancelled: true}
        }
        return {action: 'delete', topics: deleted}
      }
    }
  } catch (err) {
    if (!json && !(err instanceof Error && err.name === 'UsageError')) {
      const message = err instanceof Error ? err.message : String(err)
      process.stdout.write(style.error(renderTopicCommandError(message)) + '\n')
      if (!(err instanceof TopicCommandError)) throw new TopicCommandError(message, {cause: err})
    }
    throw err
  } finally {
    await service?.close()
  }
}

/**
 * The actions of `kts consumer-groups` (Kafka [4.0-pre] `ConsumerGroupCommand.ConsumerGroupService`):
 * list, describe (offsets / members / state), reset-offsets, delete, delete-offsets. Each action
 * gathers what it needs through `GroupAdmin`, writes Kafka's text through an `Output` (in the order
 * Kafka prints it) and returns the same facts for `--json`.
 *
 * Outcomes Kafka's tool reports with `printError` and exit code 0 (a missing group, a reset refused
 * for an active group, a failed deletion) are recorded with `Output.error`; the command exits 1 for
 * them (see `runGroupCommand`).
 */
import {clientSecurityFromProperties, type ClientSecurity} from '../../protocol/security/client-security.js'
import fs from 'node:fs'
import {ErrorCode} from '../../protocol/errors.js'
import {parseBootstrapServers, readPropertiesFile} from '../admin/client-properties.js'
import {toolLog} from '../console/tool-log.js'
import {ClusterClient} from './cluster-client.js'
import {GroupAdmin} from './group-admin.js'
import {GroupCommandError, GroupKafkaError, javaExceptionText} from './group-errors.js'
import type {GroupCommandOptions} from './group-options.js'
import {compareTp, tpKey, type CommittedOffset, type GroupDescription, type TopicPartition} from './group-model.js'
import {memberRows, offsetRows, partitionsToDescribe, type OffsetRow} from './describe-rows.js'
import {computeResetPlan, type ResetInputs} from './reset-plan.js'
import {exportResetPlanCsv, parseResetPlanCsv, type GroupPlan} from './reset-csv.js'
import {errorChunk, renderDeleteGroups, renderDeleteOffsets, renderListPlain, renderListTable, renderMembers, renderOffsets,
  renderResetPlan, renderState, stateCheck, type Chunk, type DeleteOffsetsEntry, type HeaderStyle} from './render-groups.js'
import type {Progress} from './progress.js'

/** The logger name Kafka's tool logs its WARN lines under. */
export const GROUP_COMMAND_LOGGER = 'org.apache.kafka.tools.consumer.group.ConsumerGroupCommand'

/** Where an action writes: Kafka's text (ignored with `--json`), errors, WARN log lines, progress. */
export interface Output {
  write(chunk: Chunk): void
  /** How table headers are shown on stdout (bold on a colour terminal; plain otherwise). */
  readonly style: HeaderStyle
  /** Records a reported failure (the text itself goes through `write`). */
  error(message: string): void
  /** A log4j WARN line on stderr. */
  warn(message: string): void
  progress: Progress
}

/** `--json` result of each action. Offsets and counts are numbers; unknown values are null. */
export type GroupCommandResult =
  | {action: 'list', groups: Array<{groupId: string, state: string | null, type: string | null}>}
  | {action: 'describe', view: 'offsets', groups: Array<{groupId: string, state: string, offsets: OffsetRow[]}>}
  | {action: 'describe', view: 'members', groups: Array<{groupId: string, state: string, members: unknown[]}>}
  | {action: 'describe', view: 'state', groups: Array<{groupId: string, state: string, coordinator: unknown, assignmentStrategy: string, members: number}>}
  | {action: 'reset-offsets', executed: boolean, groups: Array<{groupId: string, state: string, offsets: CommittedOffset[], error: string | null}>}
  | {action: 'delete', deleted: string[], failed: Array<{groupId: string, error: string}>}
  | {action: 'delete-offsets', groupId: string, error: string | null, partitions: Array<{topic: string, partition: number | null, error: string | null}>}

export class GroupService {
  private constructor(private readonly admin: GroupAdmin, private readonly opts: GroupCommandOptions, private readonly out: Output) {}

  /**
   * A service on `--bootstrap-server` with the `--command-config` properties (`client.id`,
   * `security.protocol`, `sasl.*`, `ssl.*`). Connections open lazily.
   * @throws GroupCommandError for unusable security settings or an unreadable config file.
   */
  static create(opts: GroupCommandOptions, out: Output): GroupService {
    const props = opts.commandConfig === undefined ? {} : readPropertiesFile(opts.commandConfig)
    let security: ClientSecurity
    try {
      security = clientSecurityFromProperties(props)
    } catch (err) {
      throw new GroupCommandError((err as Error).message)
    }
    const cluster = new ClusterClient({
      bootstrapServers: parseBootstrapServers(opts.bootstrapServer),
      clientId: props['client.id'] ?? 'kts-consumer-groups',
      security,
      timeoutMs: opts.timeoutMs,
    })
    return new GroupService(new GroupAdmin(cluster), opts, out)
  }

  close(): void {
    this.admin.cluster.close()
  }

  /** Runs the action of the options. */
  run(): Promise<GroupCommandResult> {
    switch (this.opts.action) {
      case 'list': return this.list()
      case 'describe': return this.describe()
      case 'reset-offsets': return this.resetOffsets()
      case 'delete': return this.deleteGroups()
      default: return this.deleteOffsets()
    }
  }

  /** `--list [--state [s]] [--type [t]]`. */
  async list(): Promise<GroupCommandResult> {
    const {listStates, listTypes} = this.opts
    const table = listStates !== null || listTypes !== null
    const groups = await this.admin.listGroups(table ? {states: listStates ?? [], types: listTypes ?? []} : null)
    this.out.write({text: table ? renderListTable(groups, listTypes !== null, listStates !== null, this.out.style) : renderListPlain(groups)})
    return {action: 'list', groups}
  }

  /** Group ids to act on: `--group` values (first occurrence order) or every consumer group. */
  private async groupIds(): Promise<string[]> {
    if (this.opts.allGroups) return (await this.admin.listGroups()).map((g) => g.groupId)
    return [...new Set(this.opts.groups)]
  }

  /** Describes groups; throws a group's describe failure (Kafka fails the whole command). */
  private async describeAll(ids: string[]): Promise<Map<string, GroupDescription>> {
    const described = await this.admin.describeGroups(ids)
    const out = new Map<string, GroupDescription>()
    for (const id of ids) {
      const d = described.get(id)
      if (d instanceof Error) throw d
      if (d !== undefined) out.set(id, d)
    }
    return out
  }

  /** `--describe [--offsets | --members [--verbose] | --state]`: one block per group, sorted by id. */
  async describe(): Promise<GroupCommandResult> {
    const ids = (await this.groupIds()).sort()
    const descriptions = await this.describeAll(ids)
    const view = this.opts.describeView
    const groups: any[] = []
    for (const [i, id] of ids.entries()) {
      this.out.progress.update('Describing consumer groups', i, ids.length)
      const d = descriptions.get(id)
      if (view === 'offsets') {
        let rows: OffsetRow[] | null = null
        if (d !== undefined) {
          const committed = await this.admin.committedOffsets(id)
          const ends = await this.admin.listOffsets(partitionsToDescribe(d, committed), 'latest')
          rows = offsetRows(d, committed, ends)
        }
        const check = this.check(id, d?.state ?? null, rows?.length ?? null)
        if (check.print && rows !== null) this.out.write({text: renderOffsets(rows, this.out.style)})
        groups.push({groupId: id, state: d?.state ?? 'Dead', offsets: rows ?? []})
      } else if (view === 'members') {
        const rows = d === undefined ? null : memberRows(d, this.opts.verbose)
        const check = this.check(id, d?.state ?? null, rows?.length ?? null)
        this.out.write({text: renderMembers(rows ?? [], this.opts.verbose, check.print, this.out.style)})
        groups.push({
          groupId: id, state: d?.state ?? 'Dead',
          members: (d?.members ?? []).map((m) => ({
            consumerId: m.consumerId, groupInstanceId: m.groupInstanceId, host: m.host, clientId: m.clientId,
            partitions: m.assignment.length, assignment: [...m.assignment].sort(compareTp),
          })),
        })
      } else {
        const check = this.check(id, d?.state ?? null, d === undefined ? null : 1)
        if (check.print && d !== undefined) this.out.write({text: renderState(d, this.out.style)})
        groups.push({
          groupId: id, state: d?.state ?? 'Dead', coordinator: d?.coordinator ?? null,
          assignmentStrategy: d?.assignmentStrategy ?? '', members: d?.members.length ?? 0,
        })
      }
    }
    this.out.progress.clear()
    return {action: 'describe', view, groups}
  }

  /** Writes the state check of a group; records a missing group as an error. */
  private check(groupId: string, state: string | null, numRows: number | null): {print: boolean} {
    const check = stateCheck(groupId, state, numRows)
    for (const c of check.chunks) this.out.write(c)
    if (check.missing) this.out.error(`Consumer group '${groupId}' does not exist.`)
    return check
  }

  /**
   * `--reset-offsets`: for each group in state Empty or Dead, the plan of the scenario over the
   * scope; applied with `--execute`; printed as Kafka's table, or as CSV with `--export`.
   * Active groups are refused (`Assignments can only be reset if the group 'g' is inactive, ...`).
   */
  async resetOffsets(): Promise<GroupCommandResult> {
    const reset = this.opts.reset!
    const filePlans = reset.scenario.kind === 'from-file' ? this.readPlanFile(reset.scenario.file) : null
    const ids = await this.groupIds()
    const descriptions = await this.describeAll(ids)
    const plans: GroupPlan[] = []
    const groups: Array<{groupId: string, state: string, offsets: CommittedOffset[], error: string | null}> = []
    for (const [i, id] of ids.entries()) {
      this.out.progress.update(reset.execute ? 'Resetting offsets of consumer groups' : 'Preparing offsets of consumer groups', i, ids.length)
      const state = descriptions.get(id)?.state ?? 'Dead'
      if (state !== 'Empty' && state !== 'Dead') {
        const message = `Assignments can only be reset if the group '${id}' is inactive, but the current state is ${state}.`
        this.out.write(errorChunk(message))
        this.out.error(message)
        plans.push({groupId: id, offsets: []})
        groups.push({groupId: id, state, offsets: [], error: message})
        continue
      }
      const offsets = await this.planFor(id, filePlans)
      if (reset.execute) await this.admin.alterOffsets(id, offsets)
      plans.push({groupId: id, offsets})
      groups.push({groupId: id, state, offsets, error: null})
    }
    this.out.progress.clear()
    if (reset.export) this.out.write({text: exportResetPlanCsv(plans, this.opts.groups.length !== 1) + '\n'})
    else this.out.write({text: renderResetPlan(plans, this.out.style)})
    return {action: 'reset-offsets', executed: reset.execute, groups}
  }

  /** Reads and parses `--from-file` (before anything is asked of the cluster). */
  private readPlanFile(file: string): Map<string, CommittedOffset[]> {
    let text: string
    try {
      text = fs.readFileSync(file, 'utf8')
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code
      throw new GroupCommandError(code === 'ENOENT' ? `java.nio.file.NoSuchFileException: ${file}` : `java.io.IOException: ${file}: ${(err as Error).message}`, {cause: err})
    }
    return parseResetPlanCsv(text, this.opts.groups.length === 1 ? this.opts.groups[0] : null, file)
  }

  /** The reset plan of one inactive group; prints Kafka's warnings and notices on the way. */
  private async planFor(groupId: string, filePlans: Map<string, CommittedOffset[]> | null): Promise<CommittedOffset[]> {
    const {scenario} = this.opts.reset!
    const committed = await this.admin.committedOffsets(groupId)
    let partitions: TopicPartition[]
    if (filePlans !== null) {
      partitions = (filePlans.get(groupId) ?? []).map((o) => ({topic: o.topic, partition: o.partition}))
    } else if (this.opts.allTopics) {
      partitions = [...committed.values()].map((c) => ({topic: c.topic, partition: c.partition}))
    } else {
      partitions = await this.topicScope()
    }
    const inputs: ResetInputs = {
      committed,
      start: await this.admin.listOffsets(partitions, 'earliest'),
      end: await this.admin.listOffsets(partitions, 'latest'),
      filePlan: filePlans?.get(groupId) ?? null,
    }
    if (scenario.kind === 'to-datetime' || scenario.kind === 'by-duration') {
      const timestamp = scenario.kind === 'to-datetime' ? scenario.timestamp : Date.now() - scenario.durationMs
      inputs.byTimestamp = await this.admin.listOffsets(partitions, {timestamp})
    }
    const plan = computeResetPlan(groupId, scenario, partitions, inputs)
    for (const w of plan.warnings) this.out.warn(w)
    for (const n of plan.notices) this.out.write({text: n + '\n'})
    for (const e of plan.errors) {
      this.out.write(errorChunk(e))
      this.out.error(e)
    }
    return plan.offsets
  }

  /** Partitions named by `--topic` (every partition of a topic given without `:p`). */
  private async topicScope(): Promise<TopicPartition[]> {
    const whole = this.opts.topics.filter((t) => t.partitions === null).map((t) => t.topic)
    const known = await this.admin.topicPartitions(whole)
    const out: TopicPartition[] = []
    for (const t of this.opts.topics) {
      if (t.partitions !== null) {
        for (const partition of t.partitions) out.push({topic: t.topic, partition})
        continue
      }
      const ps = known.get(t.topic)
      if (ps instanceof Error) throw ps
      for (const partition of ps ?? []) out.push({topic: t.topic, partition})
    }
    return out
  }

  /** `--delete`: deletes the groups; reports the ones that could not be deleted. */
  async deleteGroups(): Promise<GroupCommandResult> {
    const ids = await this.groupIds()
    this.out.progress.update('Deleting consumer groups', 0, ids.length)
    const codes = await this.admin.deleteGroups(ids)
    this.out.progress.clear()
    const results = ids.map((groupId) => ({groupId, errorCode: codes.get(groupId) ?? ErrorCode.NONE}))
    for (const c of renderDeleteGroups(results)) this.out.write(c)
    const failed = results.filter((r) => r.errorCode !== ErrorCode.NONE)
      .map((r) => ({groupId: r.groupId, error: javaExceptionText(r.errorCode)}))
    if (failed.length > 0) this.out.error(`Group '${failed[0].groupId}' could not be deleted due to: ${failed[0].error}`)
    return {action: 'delete', deleted: results.filter((r) => r.errorCode === ErrorCode.NONE).map((r) => r.groupId), failed}
  }

  /** `--delete-offsets --group g --topic t[:p]`: deletes committed offsets of topics the group does not consume. */
  async deleteOffsets(): Promise<GroupCommandResult> {
    const groupId = this.opts.groups[0]
    const entries: DeleteOffsetsEntry[] = []
    const partitions = new Map<string, TopicPartition>()
    const whole = this.opts.topics.filter((t) => t.partitions === null).map((t) => t.topic)
    const known = await this.admin.topicPartitions(whole)
    for (const t of this.opts.topics) {
      if (t.partitions !== null) {
        for (const partition of t.partitions) partitions.set(tpKey({topic: t.topic, partition}), {topic: t.topic, partition})
        continue
      }
      const ps = known.get(t.topic)
      if (ps instanceof GroupKafkaError) {
        entries.push({topic: t.topic, partition: -1, error: ps.message})
        continue
      }
      for (const partition of ps ?? []) partitions.set(tpKey({topic: t.topic, partition}), {topic: t.topic, partition})
    }
    let topLevel: number = ErrorCode.NONE
    if (partitions.size > 0) {
      const res = await this.admin.deleteOffsets(groupId, [...partitions.values()])
      for (const [key, tp] of partitions) {
        const code = res.errorCode !== ErrorCode.NONE ? res.errorCode : (res.partitions.get(key) ?? ErrorCode.NONE)
        if (code !== ErrorCode.NONE && topLevel === ErrorCode.NONE) topLevel = code
        entries.push({...tp, error: code === ErrorCode.NONE ? null : javaExceptionText(code)})
      }
    }
    for (const c of renderDeleteOffsets(groupId, this.opts.topics.map((t) => t.raw), topLevel, entries, this.out.style)) this.out.write(c)
    const failed = entries.find((e) => e.error !== null)
    if (failed !== undefined) this.out.error(`Could not delete the offsets of ${failed.partition >= 0 ? `${failed.topic}-${failed.partition}` : failed.topic} for group '${groupId}': ${failed.error}`)
    return {
      action: 'delete-offsets', groupId, error: topLevel === ErrorCode.NONE ? null : javaExceptionText(topLevel),
      partitions: entries.map((e) => ({topic: e.topic, partition: e.partition >= 0 ? e.partition : null, error: e.error})),
    }
  }
}

/** Writes a WARN line the way Kafka's tools log (`[date] WARN message (logger)` on stderr). */
export function logWarn(message: string): void {
  toolLog('WARN', message, GROUP_COMMAND_LOGGER)
}

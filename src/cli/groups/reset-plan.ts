/**
 * The offsets `kts consumer-groups --reset-offsets` sets for one group (Kafka [4.0-pre]
 * `ConsumerGroupService.prepareOffsetsToReset` and `checkOffsetsRange`), computed from the group's
 * committed offsets and the partitions' start / end / by-timestamp offsets. Pure.
 */
import {UsageError} from '../errors.js'
import type {ResetScenario} from './group-options.js'
import {compareTp, tpKey, tpString, type CommittedOffset, type TopicPartition} from './group-model.js'

/** What the plan is computed from. Offsets of unknown partitions are missing from the maps. */
export interface ResetInputs {
  committed: ReadonlyMap<string, CommittedOffset>
  /** Log start offsets (ListOffsets earliest). */
  start: ReadonlyMap<string, number>
  /** Log end offsets (ListOffsets latest). */
  end: ReadonlyMap<string, number>
  /** `--to-datetime` / `--by-duration`: the first offset at or after the timestamp, -1 when none. */
  byTimestamp?: ReadonlyMap<string, number>
  /** `--from-file`: this group's entries; null when the file has none for the group. */
  filePlan?: readonly CommittedOffset[] | null
}

/** A computed plan plus what Kafka prints while computing it. */
export interface ResetPlan {
  /** New offsets, by topic then partition. */
  offsets: CommittedOffset[]
  /** log4j WARN messages (clamped offsets). */
  warnings: string[]
  /** Lines printed on stdout (`\nWarn: Partition 0 from topic t is empty. Falling back to latest known offset.`). */
  notices: string[]
  /** `printError` messages (`No reset plan for group g found`). */
  errors: string[]
}

/**
 * The new offsets of `partitions` (ignored for `--from-file`, whose plan names its own) under `scenario`.
 * @throws UsageError `Cannot shift offset for partition t-0 since there is no current committed offset`,
 *   `Error getting starting offset of topic partition: t-0` (and ending / by timestamp) for unknown partitions.
 */
export function computeResetPlan(groupId: string, scenario: ResetScenario, partitions: readonly TopicPartition[], inputs: ResetInputs): ResetPlan {
  const plan: ResetPlan = {offsets: [], warnings: [], notices: [], errors: []}
  const set = (tp: TopicPartition, offset: number): void => {
    plan.offsets.push({topic: tp.topic, partition: tp.partition, offset})
  }
  const known = (map: ReadonlyMap<string, number>, tp: TopicPartition, what: string): number => {
    const v = map.get(tpKey(tp))
    if (v === undefined) throw new UsageError(`Error getting ${what} of topic partition: ${tpString(tp)}`)
    return v
  }
  const clamped = (requested: Array<[TopicPartition, number]>): void => {
    for (const [tp, offset] of requested) set(tp, checkOffsetRange(tp, offset, inputs, plan.warnings))
  }

  switch (scenario.kind) {
    case 'to-offset':
      clamped(partitions.map((tp) => [tp, scenario.offset]))
      break
    case 'to-earliest':
      for (const tp of partitions) set(tp, known(inputs.start, tp, 'starting offset'))
      break
    case 'to-latest':
      for (const tp of partitions) set(tp, known(inputs.end, tp, 'ending offset'))
      break
    case 'shift-by':
      clamped(partitions.map((tp) => {
        const current = inputs.committed.get(tpKey(tp))
        if (current === undefined) throw new UsageError(`Cannot shift offset for partition ${tpString(tp)} since there is no current committed offset`)
        return [tp, current.offset + scenario.shift]
      }))
      break
    case 'to-datetime':
    case 'by-duration':
      for (const tp of partitions) {
        const found = inputs.byTimestamp?.get(tpKey(tp))
        if (found === undefined) throw new UsageError(`Error getting offset by timestamp of topic partition: ${tpString(tp)}`)
        if (found !== -1) {
          set(tp, found)
        } else {
          plan.notices.push(`\nWarn: Partition ${tp.partition} from topic ${tp.topic} is empty. Falling back to latest known offset.`)
          set(tp, known(inputs.end, tp, 'offset by timestamp'))
        }
      }
      break
    case 'from-file':
      if (inputs.filePlan === null || inputs.filePlan === undefined) {
        plan.errors.push(`No reset plan for group ${groupId} found`)
        break
      }
      clamped(inputs.filePlan.map((o) => [{topic: o.topic, partition: o.partition}, o.offset]))
      break
    case 'to-current':
      for (const tp of partitions) {
        const current = inputs.committed.get(tpKey(tp))
        set(tp, current !== undefined ? current.offset : known(inputs.end, tp, 'ending offset'))
      }
      break
  }
  plan.offsets = dedupe(plan.offsets).sort(compareTp)
  return plan
}

/**
 * Kafka's `checkOffsetsRange`: above the log end → the log end, below the log start → the log
 * start, each with a WARN; unknown bounds leave the offset as requested.
 */
export function checkOffsetRange(tp: TopicPartition, offset: number, inputs: Pick<ResetInputs, 'start' | 'end'>, warnings: string[]): number {
  const end = inputs.end.get(tpKey(tp))
  if (end !== undefined && offset > end) {
    warnings.push(`New offset (${offset}) is higher than latest offset for topic partition ${tpString(tp)}. Value will be set to ${end}`)
    return end
  }
  const start = inputs.start.get(tpKey(tp))
  if (start !== undefined && offset < start) {
    warnings.push(`New offset (${offset}) is lower than earliest offset for topic partition ${tpString(tp)}. Value will be set to ${start}`)
    return start
  }
  return offset
}

/** Keeps the last entry per partition (Kafka collects the plan into a map). */
function dedupe(offsets: CommittedOffset[]): CommittedOffset[] {
  const byKey = new Map<string, CommittedOffset>()
  for (const o of offsets) byKey.set(tpKey(o), o)
  return [...byKey.values()]
}

/**
 * Leader election, ISR and assignment changes of one partition as a PartitionChangeRecord (Kafka
 * `PartitionChangeBuilder` without eligible leader replicas, directories and leader recovery).
 * Pure: the caller says which replicas may lead, what the ISR and the assignment should become and
 * which election to run.
 *
 * Steps, in Kafka's order:
 * 1. A reassignment completes (Kafka `PartitionReassignmentReplicas.maybeCompleteReassignment`) once
 *    the target ISR without the removing replicas still holds a replica and holds every target
 *    replica: the replicas and the ISR lose the removing replicas, adding/removing become empty.
 * 2. Election. "online" (and "unclean"): the current leader stays while it is in the target ISR and
 *    acceptable; else the first replica (in target assignment order) in the target ISR and acceptable
 *    leads; else, "unclean" only, the first acceptable replica leads and the ISR becomes just that
 *    replica; else there is no leader (-1). "preferred": the first target replica when it is in the
 *    target ISR and acceptable, else the current leader if still valid, else the next valid replica.
 * 3. A change that removes replicas sets the leader field anyway, so the leader epoch is bumped
 *    (Kafka `triggerLeaderEpochBumpForReplicaReassignmentIfNeeded`).
 * 4. A target ISR that would be empty leaves the ISR unchanged (its last member stays in it, so a
 *    partition whose whole ISR is gone stays offline until that member returns).
 *
 * A record that sets the leader bumps the leader epoch when replayed (`MetadataDelta`), every record
 * bumps the partition epoch.
 */
import type {PartitionRegistration} from '../metadata/metadata-image.js'

/** PartitionChangeRecord.leader: no leader. */
export const NO_LEADER = -1
/** PartitionChangeRecord.leader: the leader does not change. */
export const NO_LEADER_CHANGE = -2

/** Kafka `PartitionChangeBuilder.Election`. */
export type Election = 'online' | 'preferred' | 'unclean'

/** The fields of a PartitionChangeRecord this builder sets (the others keep their "no change" defaults). */
export interface PartitionChange {
  topicId: string
  partitionId: number
  /** The new ISR, null when it does not change. */
  isr: number[] | null
  /** The new leader, NO_LEADER (-1) for none, NO_LEADER_CHANGE (-2) when it does not change. */
  leader: number
  /** The new replicas (reassignment), null when they do not change. */
  replicas?: number[] | null
  /** The new removing replicas, null when they do not change. */
  removingReplicas?: number[] | null
  /** The new adding replicas, null when they do not change. */
  addingReplicas?: number[] | null
}

export interface PartitionChangeOptions {
  /** The ISR to move to (default: the current one). */
  targetIsr?: readonly number[]
  /** The replicas to move to (default: the current ones). */
  targetReplicas?: readonly number[]
  /** The removing replicas to move to (default: the current ones). */
  targetRemoving?: readonly number[]
  /** The adding replicas to move to (default: the current ones). */
  targetAdding?: readonly number[]
  /** Whether a replica may lead: registered, unfenced, not shutting down. */
  isAcceptableLeader: (brokerId: number) => boolean
  /** The election to run (default "online", or "unclean" when `unclean`). */
  election?: Election
  /** unclean.leader.election.enable of the topic: elect outside the ISR when nobody in it can lead. */
  unclean?: boolean
}

function sameList(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i])
}

/**
 * The replicas and ISR after a reassignment that can complete with `targetIsr`, or null (Kafka
 * `PartitionReassignmentReplicas.maybeCompleteReassignment`).
 */
export function completedReassignment(replicas: readonly number[], removing: readonly number[], adding: readonly number[], targetIsr: readonly number[]):
  {replicas: number[], isr: number[]} | null {
  if (removing.length === 0 && adding.length === 0) return null
  let isr = [...targetIsr]
  let newReplicas = [...replicas]
  if (removing.length > 0) {
    isr = isr.filter(id => !removing.includes(id))
    if (isr.length === 0) return null
    newReplicas = newReplicas.filter(id => !removing.includes(id))
    if (newReplicas.length === 0) return null
  }
  if (!newReplicas.every(id => isr.includes(id))) return null
  return {replicas: newReplicas, isr}
}

/**
 * The PartitionChangeRecord moving `partition` to the targets with a leader elected as above;
 * null when nothing changes.
 */
export function buildPartitionChange(topicId: string, partition: PartitionRegistration, opts: PartitionChangeOptions): PartitionChange | null {
  let targetIsr = opts.targetIsr ?? partition.isr
  let targetReplicas = opts.targetReplicas ?? partition.replicas
  let targetRemoving = opts.targetRemoving ?? partition.removingReplicas
  let targetAdding = opts.targetAdding ?? partition.addingReplicas
  const election: Election = opts.election ?? (opts.unclean ? 'unclean' : 'online')
  const completed = completedReassignment(targetReplicas, targetRemoving, targetAdding, targetIsr)
  if (completed) {
    targetIsr = completed.isr
    targetReplicas = completed.replicas
    targetRemoving = []
    targetAdding = []
  }

  const accept = opts.isAcceptableLeader
  const isValidLeader = (id: number): boolean => targetIsr.includes(id) && accept(id)
  let leader = NO_LEADER
  let unclean = false
  if (election === 'preferred' && targetReplicas.length > 0 && isValidLeader(targetReplicas[0])) {
    leader = targetReplicas[0]
  } else if (isValidLeader(partition.leader)) {
    leader = partition.leader
  } else {
    leader = targetReplicas.find(isValidLeader) ?? NO_LEADER
    if (leader === NO_LEADER && election === 'unclean') {
      leader = targetReplicas.find(accept) ?? NO_LEADER
      unclean = leader !== NO_LEADER
    }
  }

  const change: PartitionChange = {topicId, partitionId: partition.partitionId, isr: null, leader: NO_LEADER_CHANGE}
  if (leader !== partition.leader) {
    change.leader = leader
    // An unclean election can lose data: the ISR restarts from the new leader alone.
    if (unclean) change.isr = [leader]
  }
  // Replicas leave: the leader epoch moves so that they stop being fetched from as before.
  if (change.leader === NO_LEADER_CHANGE && !partition.replicas.every(id => targetReplicas.includes(id))) change.leader = partition.leader
  if (change.isr === null && targetIsr.length > 0 && !sameList(targetIsr, partition.isr)) change.isr = [...targetIsr]
  if (targetReplicas.length > 0 && !sameList(targetReplicas, partition.replicas)) change.replicas = [...targetReplicas]
  if (!sameList(targetRemoving, partition.removingReplicas)) change.removingReplicas = [...targetRemoving]
  if (!sameList(targetAdding, partition.addingReplicas)) change.addingReplicas = [...targetAdding]
  const noOp = change.isr === null && change.leader === NO_LEADER_CHANGE && !change.replicas && !change.removingReplicas && !change.addingReplicas
  return noOp ? null : change
}

/** Applies a change to a registration the way `MetadataDelta` replays it (for callers that chain changes). */
export function mergePartitionChange(p: PartitionRegistration, change: PartitionChange): PartitionRegistration {
  const leaderSet = change.leader !== NO_LEADER_CHANGE
  return {
    ...p,
    isr: change.isr ?? p.isr,
    replicas: change.replicas ?? p.replicas,
    removingReplicas: change.removingReplicas ?? p.removingReplicas,
    addingReplicas: change.addingReplicas ?? p.addingReplicas,
    leader: leaderSet ? change.leader : p.leader,
    leaderEpoch: leaderSet ? p.leaderEpoch + 1 : p.leaderEpoch,
    partitionEpoch: p.partitionEpoch + 1,
  }
}

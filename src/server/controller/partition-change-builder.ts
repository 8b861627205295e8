/**
 * Leader election and ISR changes of one partition as a PartitionChangeRecord (Kafka
 * `PartitionChangeBuilder` without eligible leader replicas, reassignment completion and leader
 * recovery). Pure: the caller says which replicas may lead and what the ISR should become.
 *
 * Rules (Kafka's "online" election): the current leader stays while it is in the target ISR and
 * acceptable; else the first replica (in assignment order) that is in the target ISR and acceptable
 * leads; else, with an unclean election, the first acceptable replica leads and the ISR becomes
 * just that replica; else there is no leader (-1). A target ISR that would be empty leaves the ISR
 * unchanged (its last member stays in it, so a partition whose whole ISR is gone stays offline until
 * that member returns). A record that sets the leader bumps the leader epoch when replayed
 * (`MetadataDelta`), every record bumps the partition epoch.
 */
import type {PartitionRegistration} from '../metadata/metadata-image.js'

/** PartitionChangeRecord.leader: no leader. */
export const NO_LEADER = -1
/** PartitionChangeRecord.leader: the leader does not change. */
export const NO_LEADER_CHANGE = -2

/** The fields of a PartitionChangeRecord this builder sets (the others keep their "no change" defaults). */
export interface PartitionChange {
  topicId: string
  partitionId: number
  /** The new ISR, null when it does not change. */
  isr: number[] | null
  /** The new leader, NO_LEADER (-1) for none, NO_LEADER_CHANGE (-2) when it does not change. */
  leader: number
}

export interface PartitionChangeOptions {
  /** The ISR to move to (default: the current one). */
  targetIsr?: readonly number[]
  /** Whether a replica may lead: registered, unfenced, not shutting down, not being removed. */
  isAcceptableLeader: (brokerId: number) => boolean
  /** unclean.leader.election.enable of the topic: elect outside the ISR when nobody in it can lead. */
  unclean?: boolean
}

function sameMembers(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i])
}

/**
 * The PartitionChangeRecord moving `partition` to the target ISR with a leader elected as above;
 * null when nothing changes.
 */
export function buildPartitionChange(topicId: string, partition: PartitionRegistration, opts: PartitionChangeOptions): PartitionChange | null {
  const targetIsr = opts.targetIsr ?? partition.isr
  const accept = opts.isAcceptableLeader
  const isValidLeader = (id: number): boolean => targetIsr.includes(id) && accept(id)
  let leader = NO_LEADER
  let unclean = false
  if (partition.leader >= 0 && isValidLeader(partition.leader)) {
    leader = partition.leader
  } else {
    leader = partition.replicas.find(isValidLeader) ?? NO_LEADER
    if (leader === NO_LEADER && opts.unclean) {
      leader = partition.replicas.find(accept) ?? NO_LEADER
      unclean = leader !== NO_LEADER
    }
  }
  const change: PartitionChange = {topicId, partitionId: partition.partitionId, isr: null, leader: NO_LEADER_CHANGE}
  if (leader !== partition.leader) {
    change.leader = leader
    // An unclean election can lose data: the ISR restarts from the new leader alone.
    if (unclean) change.isr = [leader]
  }
  if (change.isr === null && targetIsr.length > 0 && !sameMembers(targetIsr, partition.isr)) change.isr = [...targetIsr]
  return change.isr === null && change.leader === NO_LEADER_CHANGE ? null : change
}

/** Applies a change to a registration the way `MetadataDelta` replays it (for callers that chain changes). */
export function mergePartitionChange(p: PartitionRegistration, change: PartitionChange): PartitionRegistration {
  const leaderSet = change.leader !== NO_LEADER_CHANGE
  return {
    ...p,
    isr: change.isr ?? p.isr,
    leader: leaderSet ? change.leader : p.leader,
    leaderEpoch: leaderSet ? p.leaderEpoch + 1 : p.leaderEpoch,
    partitionEpoch: p.partitionEpoch + 1,
  }
}

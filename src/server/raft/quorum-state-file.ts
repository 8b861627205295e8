/**
 * `quorum-state` file (storage-and-kraft.md §4.2; Kafka `FileQuorumStateStore`, schema
 * `raft/QuorumStateData.json`): one line of JSON, rewritten via temp file + fsync + rename on
 * every change of epoch, vote or leader. Writes data_version 0; reads 0 and 1.
 */
import fs from 'node:fs'
import path from 'node:path'
import {atomicWriteFileSync} from '../log/atomic-file-writer.js'

export const QUORUM_STATE_FILE = 'quorum-state'

export interface ElectionState {
  /** Leader epoch (0 before any election). */
  leaderEpoch: number
  /** Known leader id, -1 if none. */
  leaderId: number
  /** Voted-for id in this epoch, -1 if none. */
  votedId: number
}

export class QuorumStateError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'QuorumStateError'
  }
}

/** Reads `<dir>/quorum-state`; null when absent. @throws QuorumStateError when unreadable. */
export function readQuorumState(dir: string): ElectionState | null {
  const file = path.join(dir, QUORUM_STATE_FILE)
  let text: string
  try {
    text = fs.readFileSync(file, 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null
    throw err
  }
  let j: any
  try {
    j = JSON.parse(text)
  } catch {
    throw new QuorumStateError(`Error while reading the Quorum status from the file ${file}`)
  }
  if (typeof j !== 'object' || j === null || typeof j.leaderEpoch !== 'number' || ![0, 1].includes(j.data_version)) {
    throw new QuorumStateError(`Error while reading the Quorum status from the file ${file}`)
  }
  return {leaderEpoch: j.leaderEpoch, leaderId: j.leaderId ?? -1, votedId: j.votedId ?? -1}
}

/** Writes `<dir>/quorum-state` (data_version 0) atomically and durably. */
export function writeQuorumState(dir: string, state: ElectionState, voters: readonly number[]): void {
  const json = JSON.stringify({
    clusterId: '',
    leaderId: state.leaderId,
    leaderEpoch: state.leaderEpoch,
    votedId: state.votedId,
    appliedOffset: 0,
    currentVoters: voters.map(voterId => ({voterId})),
    data_version: 0,
  })
  const file = path.join(dir, QUORUM_STATE_FILE)
  atomicWriteFileSync(file, `${file}.tmp`, json, true)
}

/** `<dir>/quorum-state` as a `QuorumStateStore` (Kafka `FileQuorumStateStore`). */
export class FileQuorumStateStore {
  constructor(readonly dir: string, private readonly voters: () => readonly number[]) {}

  read(): ElectionState | null {
    return readQuorumState(this.dir)
  }

  write(state: ElectionState): void {
    writeQuorumState(this.dir, state, this.voters())
  }
}

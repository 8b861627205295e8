/**
 * The set of voters of the KRaft quorum (KIP-853; Kafka `VoterSet`, `VoterSetHistory`,
 * `KRaftControlRecordStateMachine`).
 *
 * - kraft.version 0 (static quorum): the voters are `controller.quorum.voters`, never change, and
 *   no voter record is in the log.
 * - kraft.version 1 (dynamic quorum): the voters live in the log and snapshots as KRAFT_VOTERS (6)
 *   control records (`VotersRecord`), the first one in the bootstrap snapshot `0-0.checkpoint`
 *   written by `kts storage format --standalone | --initial-controllers`. A set takes effect as
 *   soon as its record is in the local log (appended, not committed) and goes away when the log is
 *   truncated below it; the leader changes it one voter at a time, only once the previous change
 *   is committed.
 *
 * Control record values are the bare message (Kafka `MessageUtil.toByteBuffer`): VotersRecord v0,
 * KRaftVersionRecord v0.
 */
import {Reader} from '../../protocol/primitives/reader.js'
import {Writer} from '../../protocol/primitives/writer.js'
import {readVotersRecord, writeVotersRecord} from '../../protocol/generated/data/voters-record.js'
import {readKRaftVersionRecord, writeKRaftVersionRecord} from '../../protocol/generated/data/kraft-version-record.js'
import {ControlRecordType, decodeRecordBatch, encodeControlRecordKey} from '../../protocol/records/records.js'
import {ATTRIBUTES_OFFSET, BATCH_LENGTH_OFFSET, LOG_OVERHEAD} from '../../protocol/records/record-batch.js'

/** A named listener address of a voter (VotersRecord Endpoint). */
export interface Endpoint {
  name: string
  host: string
  port: number
}

/** One voter: its replica key (id, directory id) and how to reach it. */
export interface VoterNode {
  id: number
  /** Directory id of its metadata log dir; the zero uuid when unknown (static quorum). */
  directoryId: string
  endpoints: Endpoint[]
  /** The kraft.version range it supports. */
  kraftVersion: {min: number, max: number}
}

/** Voters sorted by id. */
export type VoterSet = readonly VoterNode[]

/** The kraft.version range this implementation supports (Kafka 3.9: 0-1). */
export const SUPPORTED_KRAFT_VERSION = {min: 0, max: 1} as const

export function sortVoters(voters: Iterable<VoterNode>): VoterNode[] {
  return [...voters].sort((a, b) => a.id - b.id)
}

/** `[id:directoryId, ...]`, as the logs and error messages show a voter set. */
export function describeVoters(voters: VoterSet): string {
  return `[${voters.map(v => `${v.id}:${v.directoryId}`).join(', ')}]`
}

// ---- control record values ----------------------------------------------------------------------

export function votersRecordValue(voters: VoterSet): Buffer {
  const w = new Writer(64)
  writeVotersRecord(w, {version: 0, voters: voters.map(v => ({
    voterId: v.id, voterDirectoryId: v.directoryId, endpoints: v.endpoints.map(e => ({name: e.name, host: e.host, port: e.port})),
    kRaftVersionFeature: {minSupportedVersion: v.kraftVersion.min, maxSupportedVersion: v.kraftVersion.max},
  }))}, 0)
  return w.toBuffer()
}

/** @throws ProtocolDecodeError for a malformed value */
export function decodeVotersRecordValue(value: Buffer): VoterNode[] {
  const r = readVotersRecord(new Reader(value), 0)
  return sortVoters(r.voters.map(v => ({
    id: v.voterId, directoryId: v.voterDirectoryId, endpoints: v.endpoints.map(e => ({name: e.name, host: e.host, port: e.port})),
    kraftVersion: {min: v.kRaftVersionFeature.minSupportedVersion, max: v.kRaftVersionFeature.maxSupportedVersion},
  })))
}

export function kraftVersionRecordValue(level: number): Buffer {
  const w = new Writer(8)
  writeKRaftVersionRecord(w, {version: 0, kRaftVersion: level}, 0)
  return w.toBuffer()
}

export function decodeKRaftVersionRecordValue(value: Buffer): number {
  return readKRaftVersionRecord(new Reader(value), 0).kRaftVersion
}

/** The control records (key + value) that put `voters` in a batch: KRAFT_VERSION 1 then KRAFT_VOTERS. */
export function voterControlRecords(voters: VoterSet, timestamp: number, withKRaftVersion: boolean): {key: Buffer, value: Buffer, timestamp: number}[] {
  const out = []
  if (withKRaftVersion) out.push({key: encodeControlRecordKey(ControlRecordType.KRAFT_VERSION), value: kraftVersionRecordValue(1), timestamp})
  out.push({key: encodeControlRecordKey(ControlRecordType.KRAFT_VOTERS), value: votersRecordValue(voters), timestamp})
  return out
}

/**
 * The KRAFT_VOTERS records in `buf` (whole record batches), with their offsets. Only control
 * batches are decoded (a bit of the batch header tells them apart).
 * @throws Error for a malformed control batch
 */
export function scanVotersRecords(buf: Buffer): {offset: number, voters: VoterNode[]}[] {
  const out: {offset: number, voters: VoterNode[]}[] = []
  let p = 0
  while (p + LOG_OVERHEAD <= buf.length) {
    const size = buf.readInt32BE(p + BATCH_LENGTH_OFFSET) + LOG_OVERHEAD
    if (p + size > buf.length) break
    const isControl = (buf.readInt16BE(p + ATTRIBUTES_OFFSET) & 0x20) !== 0
    if (isControl) {
      const b = decodeRecordBatch(buf.subarray(p, p + size), 0, false)
      for (const r of b.records) {
        if (r.key && r.key.length >= 4 && r.key.readInt16BE(2) === ControlRecordType.KRAFT_VOTERS && r.value) {
          out.push({offset: r.offset, voters: decodeVotersRecordValue(r.value)})
        }
      }
    }
    p += size
  }
  return out
}

// ---- history ------------------------------------------------------------------------------------

/**
 * The voter sets of the local log by offset (Kafka `VoterSetHistory`): a base set (static config
 * or the bootstrap snapshot, offset -1; or the latest snapshot's, at its end offset - 1) and one
 * entry per KRAFT_VOTERS record in the log.
 */
export class VoterSetHistory {
  private sets: {offset: number, voters: VoterSet}[] = []

  constructor(base: VoterSet | null, baseOffset = -1) {
    if (base) this.sets.push({offset: baseOffset, voters: base})
  }

  /** A set read at `offset`; entries at or after it are replaced. */
  add(offset: number, voters: VoterSet): void {
    this.truncateTo(offset)
    this.sets.push({offset, voters})
  }

  /** The newest set (committed or not), null when none is known. */
  latest(): VoterSet | null {
    return this.sets.length > 0 ? this.sets[this.sets.length - 1].voters : null
  }

  /** The set before the newest one, null when none. */
  previous(): VoterSet | null {
    return this.sets.length > 1 ? this.sets[this.sets.length - 2].voters : null
  }

  /** Offset of the newest set's record (-1: configuration or bootstrap snapshot), null when none. */
  latestOffset(): number | null {
    return this.sets.length > 0 ? this.sets[this.sets.length - 1].offset : null
  }

  /** The set in effect after the record at `offset` (the newest entry at or below it). */
  at(offset: number): VoterSet | null {
    for (let i = this.sets.length - 1; i >= 0; i--) if (this.sets[i].offset <= offset) return this.sets[i].voters
    return null
  }

  /** The log was truncated to `endOffset`: sets read at or after it go. */
  truncateTo(endOffset: number): void {
    while (this.sets.length > 0 && this.sets[this.sets.length - 1].offset >= endOffset) this.sets.pop()
  }

  /** Older entries than the newest one at or below `offset` go (the log start moved). */
  trimPrefix(offset: number): void {
    let keep = 0
    for (let i = 0; i < this.sets.length; i++) if (this.sets[i].offset <= offset) keep = i
    this.sets.splice(0, keep)
  }

  /** The sets by offset, oldest first. */
  entries(): readonly {offset: number, voters: VoterSet}[] {
    return this.sets
  }

  /** Starts again from one set (a snapshot was installed). */
  reset(voters: VoterSet | null, offset: number): void {
    this.sets = voters ? [{offset, voters}] : []
  }
}

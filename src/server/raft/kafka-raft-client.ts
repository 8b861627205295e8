/**
 * KafkaRaftClient: the KRaft consensus layer for `__cluster_metadata-0` (KIP-595, KIP-630;
 * storage-and-kraft.md §4, §5.1-5.3; Kafka `org.apache.kafka.raft.KafkaRaftClient`).
 *
 * Implemented now: a single-voter quorum. On `start()` the node (the only voter) becomes candidate
 * of epoch + 1, wins its own vote and becomes leader, appending a LEADER_CHANGE control batch.
 * Every `append()` writes one record batch, fsyncs it, and (majority of one) advances the high
 * watermark to the log end offset, then hands the committed batch to the listeners in order.
 * Snapshots are written after `maxBytesBetweenSnapshots` bytes were committed since the last one
 * and loaded on start before replaying the log after them.
 *
 * Later (multi-voter): Vote / BeginQuorumEpoch / EndQuorumEpoch / Fetch travel over a
 * `NetworkChannel`; follower and unattached states use the election timer. The state machine
 * (`raft-state.ts`) and the voters set are already in place for that.
 */
import fs from 'node:fs'
import path from 'node:path'
import {Writer} from '../../protocol/primitives/writer.js'
import {ControlRecordType, decodeRecordBatches, encodeControlRecordKey, encodeRecordBatch} from '../../protocol/records/records.js'
import {writeLeaderChangeMessage} from '../../protocol/generated/data/leader-change-message.js'
import {decodeMetadataRecord, encodeMetadataRecord, type MetadataRecord} from '../metadata/metadata-record.js'
import {FileRaftLog, type RaftLog} from './metadata-log.js'
import {readQuorumState, writeQuorumState} from './quorum-state-file.js'
import {electionStateOf, hasMajority, type RaftState} from './raft-state.js'
import {listSnapshots, readSnapshot, snapshotFileName, writeSnapshot, type SnapshotId} from './snapshot-file.js'

/** Transport for voter RPCs (Vote, BeginQuorumEpoch, EndQuorumEpoch, Fetch); used by multi-voter quorums. */
export interface NetworkChannel {
  send(destinationId: number, apiKey: number, apiVersion: number, request: unknown): Promise<unknown>
}

/** A committed batch of metadata records, with each record's offset. */
export interface CommittedBatch {
  baseOffset: number
  lastOffset: number
  epoch: number
  appendTimestamp: number
  records: {record: MetadataRecord, offset: number}[]
}

/** Consumer of committed metadata (Kafka `RaftClient.Listener`). */
export interface RaftListener {
  /** A snapshot's records, delivered before the batches after it. */
  handleLoadSnapshot?(records: MetadataRecord[], id: SnapshotId): void
  handleCommit(batch: CommittedBatch): void
  /** This node became leader of `epoch` (called after its LEADER_CHANGE is committed). */
  handleLeaderChange?(leaderId: number, epoch: number): void
}

export class NotLeaderError extends Error {
  constructor(message = 'This node is not the leader of the metadata quorum') {
    super(message)
    this.name = 'NotLeaderError'
  }
}

export interface RaftClientOptions {
  /** `metadata.log.dir` (or the first `log.dirs` entry). */
  metadataLogDir: string
  nodeId: number
  /** Voter ids (`controller.quorum.voters` / bootstrap). */
  voters: number[]
  /** `metadata.log.max.record.bytes.between.snapshots` (default 20 MiB); 0 disables snapshots. */
  maxBytesBetweenSnapshots?: number
  /** The records that rebuild the current committed state (the controller's image), for snapshots. */
  snapshotRecords?: () => MetadataRecord[]
  network?: NetworkChannel
  logger?: {info(msg: string): void, warn(msg: string): void}
}

export class KafkaRaftClient {
  private state: RaftState
  private readonly listeners: RaftListener[] = []
  private hw = 0
  private bytesSinceSnapshot = 0
  private latestSnapshot: SnapshotId | null = null
  private closed = false

  private constructor(private readonly log: RaftLog, private readonly dir: string, private readonly opts: RaftClientOptions) {
    const saved = readQuorumState(dir)
    this.state = {kind: 'unattached', epoch: saved?.leaderEpoch ?? 0, votedId: saved?.votedId ?? -1}
  }

  /** Opens the metadata log (recovering a torn tail) and the quorum state; call `register` then `start`. */
  static open(opts: RaftClientOptions): KafkaRaftClient {
    const log = FileRaftLog.open(opts.metadataLogDir)
    if (log.truncatedBytes > 0) opts.logger?.warn(`Truncated ${log.truncatedBytes} bytes of a torn tail from the metadata log`)
    return new KafkaRaftClient(log, log.dir, opts)
  }

  register(listener: RaftListener): void {
    this.listeners.push(listener)
  }

  get nodeId(): number {
    return this.opts.nodeId
  }

  get voters(): readonly number[] {
    return this.opts.voters
  }

  get currentState(): RaftState {
    return this.state
  }

  get epoch(): number {
    return this.state.epoch
  }

  /** Leader id, -1 when unknown. */
  get leaderId(): number {
    return this.state.kind === 'leader' ? this.opts.nodeId : this.state.kind === 'follower' ? this.state.leaderId : -1
  }

  get isLeader(): boolean {
    return this.state.kind === 'leader'
  }

  get highWatermark(): number {
    return this.hw
  }

  get logEndOffset(): number {
    return this.log.endOffset
  }

  get latestSnapshotId(): SnapshotId | null {
    return this.latestSnapshot
  }

  private transition(next: RaftState): void {
    writeQuorumState(this.dir, electionStateOf(next, this.opts.nodeId), this.opts.voters)
    this.state = next
  }

  /**
   * Loads the latest snapshot and replays the log to the listeners, then runs the election.
   * With one voter this node becomes leader at once.
   * @throws Error if this node is not a voter (observers follow over the network: not yet supported)
   */
  async start(): Promise<void> {
    this.loadCommitted()
    const voters = this.opts.voters
    if (!voters.includes(this.opts.nodeId)) throw new Error(`Node ${this.opts.nodeId} is not a voter of ${JSON.stringify(voters)}; observers are not supported yet`)
    // Candidate: epoch + 1, vote for self.
    const candidate: RaftState = {kind: 'candidate', epoch: Math.max(this.state.epoch, this.log.lastEpoch) + 1, grantingVoters: new Set([this.opts.nodeId])}
    this.transition(candidate)
    if (!hasMajority(candidate.grantingVoters, voters)) {
      throw new Error('Multi-voter elections need a NetworkChannel (not implemented yet)')
    }
    this.transition({kind: 'leader', epoch: candidate.epoch, epochStartOffset: this.log.endOffset})
    this.opts.logger?.info(`Node ${this.opts.nodeId} is the metadata quorum leader of epoch ${candidate.epoch}`)
    const w = new Writer(32)
    writeLeaderChangeMessage(w, {version: 0, leaderId: this.opts.nodeId, voters: voters.map(voterId => ({voterId})), grantingVoters: [{voterId: this.opts.nodeId}]}, 0)
    this.appendBatch(encodeRecordBatch({
      baseOffset: this.log.endOffset, partitionLeaderEpoch: candidate.epoch, isControl: true,
      records: [{key: encodeControlRecordKey(ControlRecordType.LEADER_CHANGE), value: w.toBuffer()}],
    }), [])
    for (const l of this.listeners) l.handleLeaderChange?.(this.opts.nodeId, candidate.epoch)
  }

  private loadCommitted(): void {
    const snaps = listSnapshots(this.dir)
    let from = 0
    for (let i = snaps.length - 1; i >= 0; i--) {
      const id = snaps[i]
      if (id.endOffset > this.log.endOffset) continue
      try {
        const records = readSnapshot(this.dir, id).map(decodeMetadataRecord)
        for (const l of this.listeners) l.handleLoadSnapshot?.(records, id)
        this.latestSnapshot = id
        from = id.endOffset
        this.opts.logger?.info(`Loaded metadata snapshot ${snapshotFileName(id).replace('.checkpoint', '')} (${records.length} records)`)
        break
      } catch (err) {
        this.opts.logger?.warn(`Skipping unreadable snapshot ${id.endOffset}-${id.epoch}: ${(err as Error).message}`)
      }
    }
    const buf = this.log.read(from)
    for (const b of decodeRecordBatches(buf)) {
      if (b.isControl) continue
      const records: CommittedBatch['records'] = []
      for (const r of b.records) {
        if (r.offset < from || !r.value) continue
        records.push({record: decodeMetadataRecord(r.value), offset: r.offset})
      }
      if (records.length > 0) this.deliver({baseOffset: b.baseOffset, lastOffset: b.lastOffset, epoch: b.partitionLeaderEpoch, appendTimestamp: b.maxTimestamp, records})
    }
    this.hw = this.log.endOffset
  }

  private deliver(batch: CommittedBatch): void {
    for (const l of this.listeners) l.handleCommit(batch)
  }

  private appendBatch(batch: Buffer, records: MetadataRecord[]): {baseOffset: number, lastOffset: number} {
    const stored = this.log.append(batch)
    this.log.flush()
    // Majority of one: flushed on the only voter means committed.
    this.hw = stored.lastOffset + 1
    if (records.length > 0) {
      this.deliver({
        baseOffset: stored.baseOffset, lastOffset: stored.lastOffset, epoch: stored.partitionLeaderEpoch, appendTimestamp: Date.now(),
        records: records.map((record, i) => ({record, offset: stored.baseOffset + i})),
      })
      this.bytesSinceSnapshot += stored.size
      this.maybeSnapshot(stored.lastOffset + 1, stored.partitionLeaderEpoch)
    }
    return {baseOffset: stored.baseOffset, lastOffset: stored.lastOffset}
  }

  /**
   * Appends `records` atomically as one batch in the current epoch, fsyncs, commits and delivers
   * them to the listeners before returning.
   * @returns the offsets of the batch
   * @throws NotLeaderError when not leader or `epoch` is stale; Error when closed or records are empty
   */
  append(records: MetadataRecord[], epoch = this.state.epoch): {baseOffset: number, lastOffset: number} {
    if (this.closed) throw new Error('The Raft client is closed')
    if (this.state.kind !== 'leader' || epoch !== this.state.epoch) throw new NotLeaderError()
    if (records.length === 0) throw new Error('Cannot append an empty batch')
    const now = Date.now()
    const batch = encodeRecordBatch({
      baseOffset: this.log.endOffset, partitionLeaderEpoch: this.state.epoch,
      records: records.map(r => ({key: null, value: encodeMetadataRecord(r), timestamp: now})),
    })
    return this.appendBatch(batch, records)
  }

  private maybeSnapshot(endOffset: number, epoch: number): void {
    const limit = this.opts.maxBytesBetweenSnapshots ?? 20 * 1024 * 1024
    if (limit <= 0 || !this.opts.snapshotRecords || this.bytesSinceSnapshot < limit) return
    this.createSnapshot(endOffset, epoch)
  }

  /** Writes a snapshot of the current committed state at `endOffset` (default: the high watermark). */
  createSnapshot(endOffset = this.hw, epoch = this.log.lastEpoch): SnapshotId | null {
    if (!this.opts.snapshotRecords) return null
    const id = {endOffset, epoch}
    writeSnapshot(this.dir, id, this.opts.snapshotRecords().map(encodeMetadataRecord), Date.now())
    this.latestSnapshot = id
    this.bytesSinceSnapshot = 0
    // Keep the newest two snapshots (the previous one in case the newest is unreadable).
    const all = listSnapshots(this.dir)
    for (const old of all.slice(0, Math.max(0, all.length - 2))) {
      try {
        fs.unlinkSync(path.join(this.dir, snapshotFileName(old)))
      } catch { /* already gone */ }
    }
    this.opts.logger?.info(`Wrote metadata snapshot ${path.basename(this.dir)} at offset ${endOffset}, epoch ${epoch}`)
    return id
  }

  /** Resigns leadership (a real quorum would send EndQuorumEpoch) and closes the log. */
  close(): void {
    if (this.closed) return
    this.closed = true
    if (this.state.kind === 'leader') this.state = {kind: 'resigned', epoch: this.state.epoch}
    this.log.close()
  }
}

/**
 * The transaction coordinator (Kafka `TransactionCoordinator`; spec §8.2): InitProducerId with a
 * transactional id, AddPartitionsToTxn, AddOffsetsToTxn, EndTxn, the KIP-890 verification asked by
 * partition leaders, DescribeTransactions/ListTransactions, the abort of timed-out transactions and
 * the expiry of idle transactional ids. State is kept by {@link TransactionStateManager}; markers
 * go out through a {@link TxnMarkerSender}.
 *
 * EndTxn answers once PrepareCommit/PrepareAbort is written; the markers are then written to every
 * partition of the transaction and CompleteCommit/CompleteAbort follows (requests for the id meanwhile
 * get CONCURRENT_TRANSACTIONS). A coordinator that loads a partition resumes the transactions it
 * finds in PrepareCommit/PrepareAbort.
 */
import {ErrorCode} from '../../protocol/errors.js'
import type {CoordinatorClock} from '../group/clock.js'
import type {Logger} from '../util/logger.js'
import {MAX_PRODUCER_EPOCH, TXN_STATE_NAMES, TransactionMetadata, TxnState, partitionKey, type TxnPartition, type TxnTransit} from './transaction-metadata.js'
import type {TransactionStateManager} from './transaction-state-manager.js'

/** Writes markers for one transaction. */
export interface TxnMarkerRequest {
  transactionalId: string
  producerId: number
  producerEpoch: number
  coordinatorEpoch: number
  committed: boolean
  partitions: TxnPartition[]
}

export interface TxnMarkerSender {
  /**
   * Writes the marker to every partition (on their leaders), retrying until each is written or
   * dropped (its topic is gone), or `isActive()` turns false (this coordinator lost the id).
   * @returns true when all were handled, false when given up
   */
  send(req: TxnMarkerRequest, isActive: () => boolean): Promise<boolean>
}

/** Broker configs the coordinator uses (ms). */
export interface TransactionCoordinatorConfig {
  /** transaction.max.timeout.ms */
  maxTimeoutMs: number
  /** transactional.id.expiration.ms */
  idExpirationMs: number
  /** transaction.abort.timed.out.transaction.cleanup.interval.ms */
  abortTimedOutIntervalMs: number
  /** transaction.remove.expired.transaction.cleanup.interval.ms */
  removeExpiredIntervalMs: number
}

export interface InitProducerIdResult { errorCode: number, producerId: number, producerEpoch: number }

export interface DescribedTransaction {
  errorCode: number
  transactionalId: string
  transactionState: string
  transactionTimeoutMs: number
  transactionStartTimeMs: number
  producerId: number
  producerEpoch: number
  topics: {topic: string, partitions: number[]}[]
}

export interface ListedTransaction { transactionalId: string, producerId: number, transactionState: string }

export class TransactionCoordinator {
  private readonly timers = new Map<string, unknown>()
  private closed = false

  /** @param nextProducerId a new producer id (from controller-allocated blocks) */
  constructor(
    readonly state: TransactionStateManager,
    private readonly markers: TxnMarkerSender,
    private readonly nextProducerId: () => Promise<number>,
    private readonly config: TransactionCoordinatorConfig,
    private readonly clock: CoordinatorClock,
    private readonly logger: Logger,
  ) {}

  /** Starts the timed-out transaction abort and the expired id removal timers. */
  startup(): void {
    const every = (name: string, ms: number, fn: () => Promise<unknown>): void => {
      const tick = (): void => {
        if (this.closed) return
        fn().catch((e: unknown) => this.logger.warn(`Transaction coordinator task ${name} failed: ${String(e)}`)).finally(() => {
          if (!this.closed) this.timers.set(name, this.clock.setTimeout(tick, ms))
        })
      }
      this.timers.set(name, this.clock.setTimeout(tick, ms))
    }
    every('abort-timed-out', this.config.abortTimedOutIntervalMs, () => this.abortTimedOutTransactions())
    every('remove-expired', this.config.removeExpiredIntervalMs, () => this.removeExpiredTransactionalIds())
  }

  close(): void {
    this.closed = true
    for (const t of this.timers.values()) this.clock.clearTimeout(t)
    this.timers.clear()
  }

  // ---- partition ownership ----------------------------------------------------------------------

  /** Became leader of `__transaction_state-<partition>`: load it and resume the transactions being completed. */
  async onElection(partition: number, coordinatorEpoch: number): Promise<void> {
    const loaded = await this.state.load(partition, coordinatorEpoch)
    for (const md of loaded) {
      if (md.state === TxnState.PrepareCommit || md.state === TxnState.PrepareAbort) {
        this.logger.info(`Completing transaction ${md.transactionalId} (${TXN_STATE_NAMES[md.state]}) after loading ${partition} at coordinator epoch ${coordinatorEpoch}`)
        this.completeTransaction(md, md.state === TxnState.PrepareCommit, coordinatorEpoch)
      }
    }
  }

  onResignation(partition: number): void {
    this.state.onResignation(partition)
  }

  // ---- InitProducerId ---------------------------------------------------------------------------

  /**
   * InitProducerId with a transactional id (Kafka `handleInitProducerId`).
   * @param expected the producer id/epoch the client holds (v3+, KIP-360), -1/-1 when none
   * @returns NONE with the (new) producer id and bumped epoch, or INVALID_REQUEST (empty id),
   *   INVALID_TRANSACTION_TIMEOUT, NOT_COORDINATOR, COORDINATOR_LOAD_IN_PROGRESS, CONCURRENT_TRANSACTIONS
   *   (a transaction is being completed, or an open one is being aborted for this call: retry),
   *   PRODUCER_FENCED (expected id/epoch not current)
   */
  async initProducerId(transactionalId: string, txnTimeoutMs: number, expected: {producerId: number, producerEpoch: number}): Promise<InitProducerIdResult> {
    const fail = (errorCode: number): InitProducerIdResult => ({errorCode, producerId: -1, producerEpoch: -1})
    if (transactionalId === '') return fail(ErrorCode.INVALID_REQUEST)
    if (txnTimeoutMs <= 0 || txnTimeoutMs > this.config.maxTimeoutMs) return fail(ErrorCode.INVALID_TRANSACTION_TIMEOUT)
    const err = this.state.coordinatorError(transactionalId)
    if (err) return fail(err)
    let md = this.state.get(transactionalId)
    if (!md) {
      let producerId: number
      try {
        producerId = await this.nextProducerId()
      } catch {
        return fail(ErrorCode.COORDINATOR_NOT_AVAILABLE)
      }
      const now = this.clock.now()
      md = this.state.putIfNotExists(new TransactionMetadata(transactionalId, {
        producerId, lastProducerId: -1, producerEpoch: -1, lastProducerEpoch: -1, txnTimeoutMs, state: TxnState.Empty,
        partitions: [], txnStartTimestamp: -1, txnLastUpdateTimestamp: now,
      }))
    }
    if (md.pendingState !== null) return fail(ErrorCode.CONCURRENT_TRANSACTIONS)
    if (expected.producerId >= 0) {
      const knownId = expected.producerId === md.producerId || expected.producerId === md.lastProducerId
      const knownEpoch = expected.producerEpoch === md.producerEpoch || expected.producerEpoch === md.lastProducerEpoch
      if (!knownId || !knownEpoch) return fail(ErrorCode.PRODUCER_FENCED)
      // A retry of an InitProducerId that already bumped the epoch: answer with the current one.
      if (md.state === TxnState.Empty && expected.producerId === md.producerId && expected.producerEpoch === md.lastProducerEpoch && md.lastProducerEpoch >= 0) {
        return {errorCode: ErrorCode.NONE, producerId: md.producerId, producerEpoch: md.producerEpoch}
      }
    }
    switch (md.state) {
      case TxnState.PrepareCommit:
      case TxnState.PrepareAbort:
      case TxnState.PrepareEpochFence:
        return fail(ErrorCode.CONCURRENT_TRANSACTIONS)
      case TxnState.Ongoing: {
        // Fence the current producer and abort its transaction; the client retries (Kafka `prepareFenceProducerEpoch`).
        const code = await this.abortWithFence(md)
        return fail(code === ErrorCode.NONE ? ErrorCode.CONCURRENT_TRANSACTIONS : code)
      }
      case TxnState.Dead:
        return fail(ErrorCode.CONCURRENT_TRANSACTIONS)
      default: {
        const now = this.clock.now()
        const base = md.snapshot()
        let transit: TxnTransit
        if (md.producerEpoch + 1 >= MAX_PRODUCER_EPOCH - 1) {
          let producerId: number
          try {
            producerId = await this.nextProducerId()
          } catch {
            return fail(ErrorCode.COORDINATOR_NOT_AVAILABLE)
          }
          if (md.pendingState !== null || this.state.get(transactionalId) !== md) return fail(ErrorCode.CONCURRENT_TRANSACTIONS)
          transit = {...base, producerId, lastProducerId: md.producerId, producerEpoch: 0, lastProducerEpoch: -1}
        } else {
          transit = {...base, producerEpoch: md.producerEpoch + 1, lastProducerEpoch: md.producerEpoch}
        }
        transit = {...transit, txnTimeoutMs, state: TxnState.Empty, partitions: [], txnStartTimestamp: -1, txnLastUpdateTimestamp: now}
        md.pendingState = TxnState.Empty
        const code = await this.state.write(md, transit)
        if (code) return fail(code)
        return {errorCode: ErrorCode.NONE, producerId: md.producerId, producerEpoch: md.producerEpoch}
      }
    }
  }

  // ---- AddPartitionsToTxn / AddOffsetsToTxn -----------------------------------------------------

  /** The common checks of a request naming a producer (Kafka's validation order); NONE when it may proceed. */
  private validateProducer(transactionalId: string, producerId: number, producerEpoch: number): {code: number, md?: TransactionMetadata} {
    if (transactionalId === '') return {code: ErrorCode.INVALID_REQUEST}
    const err = this.state.coordinatorError(transactionalId)
    if (err) return {code: err}
    const md = this.state.get(transactionalId)
    if (!md || md.producerId !== producerId) return {code: ErrorCode.INVALID_PRODUCER_ID_MAPPING}
    if (md.producerEpoch !== producerEpoch) return {code: ErrorCode.PRODUCER_FENCED}
    if (md.pendingState !== null) return {code: ErrorCode.CONCURRENT_TRANSACTIONS}
    return {code: ErrorCode.NONE, md}
  }

  /**
   * AddPartitionsToTxn / AddOffsetsToTxn (Kafka `handleAddPartitionsToTransaction`): the partitions
   * join the transaction, which becomes Ongoing.
   * @returns NONE, INVALID_PRODUCER_ID_MAPPING, PRODUCER_FENCED, CONCURRENT_TRANSACTIONS (being
   *   completed), NOT_COORDINATOR, COORDINATOR_LOAD_IN_PROGRESS, COORDINATOR_NOT_AVAILABLE
   */
  async addPartitions(transactionalId: string, producerId: number, producerEpoch: number, partitions: TxnPartition[]): Promise<number> {
    const v = this.validateProducer(transactionalId, producerId, producerEpoch)
    if (!v.md) return v.code
    const md = v.md
    if (md.state === TxnState.PrepareCommit || md.state === TxnState.PrepareAbort || md.state === TxnState.PrepareEpochFence) return ErrorCode.CONCURRENT_TRANSACTIONS
    if (md.state === TxnState.Dead) return ErrorCode.INVALID_PRODUCER_ID_MAPPING
    if (md.state === TxnState.Ongoing && md.containsAll(partitions)) return ErrorCode.NONE
    const now = this.clock.now()
    const base = md.snapshot()
    const merged = new Map<string, TxnPartition>(md.state === TxnState.Ongoing ? md.partitions : [])
    for (const tp of partitions) merged.set(partitionKey(tp), {topic: tp.topic, partition: tp.partition})
    const transit: TxnTransit = {
      ...base, state: TxnState.Ongoing, partitions: [...merged.values()],
      txnStartTimestamp: md.state === TxnState.Ongoing ? md.txnStartTimestamp : now, txnLastUpdateTimestamp: now,
    }
    md.pendingState = TxnState.Ongoing
    return this.state.write(md, transit)
  }

  /**
   * KIP-890 verification (AddPartitionsToTxn v4+ VerifyOnly, asked by partition leaders): NONE for a
   * partition in the ongoing transaction of this producer id and epoch, else INVALID_TXN_STATE (or the
   * producer check's error).
   */
  verifyPartitions(transactionalId: string, producerId: number, producerEpoch: number, partitions: TxnPartition[]): number[] {
    const err = this.state.coordinatorError(transactionalId)
    if (err) return partitions.map(() => err)
    const md = this.state.get(transactionalId)
    if (!md || md.producerId !== producerId) return partitions.map(() => ErrorCode.INVALID_PRODUCER_ID_MAPPING)
    if (md.producerEpoch !== producerEpoch) return partitions.map(() => ErrorCode.PRODUCER_FENCED)
    return partitions.map(tp => md.state === TxnState.Ongoing && md.partitions.has(partitionKey(tp)) ? ErrorCode.NONE : ErrorCode.INVALID_TXN_STATE)
  }

  // ---- EndTxn -----------------------------------------------------------------------------------

  /**
   * EndTxn (Kafka `handleEndTransaction`): Ongoing → PrepareCommit/PrepareAbort written, then the
   * markers and CompleteCommit/CompleteAbort follow in the background. A retry of a completed
   * request succeeds; the other outcome gets INVALID_TXN_STATE, as does EndTxn with nothing begun.
   * @returns NONE, INVALID_PRODUCER_ID_MAPPING, PRODUCER_FENCED, CONCURRENT_TRANSACTIONS,
   *   INVALID_TXN_STATE, NOT_COORDINATOR, COORDINATOR_LOAD_IN_PROGRESS, COORDINATOR_NOT_AVAILABLE
   */
  async endTxn(transactionalId: string, producerId: number, producerEpoch: number, committed: boolean): Promise<number> {
    const v = this.validateProducer(transactionalId, producerId, producerEpoch)
    if (!v.md) return v.code
    const md = v.md
    switch (md.state) {
      case TxnState.Ongoing:
        return this.prepareEnd(md, committed, md.snapshot())
      case TxnState.CompleteCommit:
        return committed ? ErrorCode.NONE : ErrorCode.INVALID_TXN_STATE
      case TxnState.CompleteAbort:
        return committed ? ErrorCode.INVALID_TXN_STATE : ErrorCode.NONE
      case TxnState.PrepareCommit:
        return committed ? ErrorCode.CONCURRENT_TRANSACTIONS : ErrorCode.INVALID_TXN_STATE
      case TxnState.PrepareAbort:
        return committed ? ErrorCode.INVALID_TXN_STATE : ErrorCode.CONCURRENT_TRANSACTIONS
      case TxnState.PrepareEpochFence:
        return ErrorCode.CONCURRENT_TRANSACTIONS
      default:
        return ErrorCode.INVALID_TXN_STATE
    }
  }

  /** Writes PrepareCommit/PrepareAbort from `base` (the current state, maybe with a bumped epoch), then completes in the background. */
  private async prepareEnd(md: TransactionMetadata, committed: boolean, base: TxnTransit): Promise<number> {
    const next = committed ? TxnState.PrepareCommit : TxnState.PrepareAbort
    const transit: TxnTransit = {...base, state: next, txnLastUpdateTimestamp: this.clock.now()}
    md.pendingState = next
    const epoch = this.state.coordinatorEpoch(md.transactionalId)
    const code = await this.state.write(md, transit)
    if (code) return code
    this.completeTransaction(md, committed, epoch)
    return ErrorCode.NONE
  }

  /** Bumps the epoch (fencing the current producer instance) and aborts the open transaction. */
  private abortWithFence(md: TransactionMetadata): Promise<number> {
    const base = md.snapshot()
    const epoch = Math.min(md.producerEpoch + 1, MAX_PRODUCER_EPOCH)
    return this.prepareEnd(md, false, {...base, producerEpoch: epoch, lastProducerEpoch: md.producerEpoch})
  }

  /** Sends the markers of a prepared transaction, then writes CompleteCommit/CompleteAbort (Kafka `TransactionMarkerChannelManager`). */
  private completeTransaction(md: TransactionMetadata, committed: boolean, coordinatorEpoch: number): void {
    const id = md.transactionalId
    const active = (): boolean => !this.closed && this.state.get(id) === md && this.state.isOwnedAt(id, coordinatorEpoch)
    const req: TxnMarkerRequest = {
      transactionalId: id, producerId: md.producerId, producerEpoch: md.producerEpoch, coordinatorEpoch, committed,
      partitions: [...md.partitions.values()],
    }
    const run = async (): Promise<void> => {
      if (!(await this.markers.send(req, active))) return
      for (let attempt = 0; active(); attempt++) {
        const expectedState = committed ? TxnState.PrepareCommit : TxnState.PrepareAbort
        if (md.state !== expectedState || md.pendingState !== null) return
        const transit: TxnTransit = {...md.snapshot(), state: committed ? TxnState.CompleteCommit : TxnState.CompleteAbort, partitions: [], txnLastUpdateTimestamp: this.clock.now()}
        md.pendingState = transit.state
        const code = await this.state.write(md, transit)
        if (code === ErrorCode.NONE) return
        this.logger.warn(`Writing ${TXN_STATE_NAMES[transit.state]} for transactional id ${id} failed with error ${code}; retrying`)
        await new Promise<void>(resolve => this.clock.setTimeout(resolve, Math.min(100 * (attempt + 1), 1000)))
      }
    }
    run().catch((e: unknown) => this.logger.error(`Completing the transaction of ${id} failed`, e))
  }

  // ---- timeouts and expiry ----------------------------------------------------------------------

  /** Aborts Ongoing transactions older than their timeout, fencing their producer (Kafka `abortTimedOutTransactions`). */
  async abortTimedOutTransactions(): Promise<number> {
    const now = this.clock.now()
    let n = 0
    for (const md of this.state.all()) {
      if (md.state !== TxnState.Ongoing || md.pendingState !== null || md.txnStartTimestamp + md.txnTimeoutMs >= now) continue
      this.logger.info(`Aborting the transaction of ${md.transactionalId} (producer id ${md.producerId}, epoch ${md.producerEpoch}): it timed out after ${md.txnTimeoutMs} ms`)
      if (await this.abortWithFence(md) === ErrorCode.NONE) n++
    }
    return n
  }

  /** Removes ids idle for transactional.id.expiration.ms with no transaction in progress. */
  async removeExpiredTransactionalIds(): Promise<number> {
    const now = this.clock.now()
    let n = 0
    for (const md of this.state.all()) {
      const idle = md.state === TxnState.Empty || md.state === TxnState.CompleteCommit || md.state === TxnState.CompleteAbort
      if (!idle || md.pendingState !== null || md.txnLastUpdateTimestamp + this.config.idExpirationMs > now) continue
      if (await this.state.remove(md) === ErrorCode.NONE) n++
    }
    return n
  }

  // ---- admin ------------------------------------------------------------------------------------

  /** DescribeTransactions (65) for one id: TRANSACTIONAL_ID_NOT_FOUND when unknown. */
  describe(transactionalId: string): DescribedTransaction {
    const base = {transactionalId, transactionState: '', transactionTimeoutMs: 0, transactionStartTimeMs: -1, producerId: -1, producerEpoch: -1, topics: []}
    const err = this.state.coordinatorError(transactionalId)
    if (err) return {...base, errorCode: err}
    const md = this.state.get(transactionalId)
    if (!md) return {...base, errorCode: ErrorCode.TRANSACTIONAL_ID_NOT_FOUND}
    const byTopic = new Map<string, number[]>()
    for (const tp of md.partitions.values()) {
      let l = byTopic.get(tp.topic)
      if (!l) byTopic.set(tp.topic, l = [])
      l.push(tp.partition)
    }
    return {
      errorCode: ErrorCode.NONE, transactionalId, transactionState: TXN_STATE_NAMES[md.state], transactionTimeoutMs: md.txnTimeoutMs,
      transactionStartTimeMs: md.txnStartTimestamp, producerId: md.producerId, producerEpoch: md.producerEpoch,
      topics: [...byTopic].map(([topic, partitions]) => ({topic, partitions: partitions.sort((a, b) => a - b)})),
    }
  }

  /**
   * ListTransactions (66): ids of the partitions loaded here, filtered by state names and producer
   * ids (empty filter = all) and, v1+, by a minimum running duration (ms, -1 = none).
   */
  list(stateFilters: string[], producerIdFilters: number[], durationFilterMs = -1): {errorCode: number, unknownStateFilters: string[], transactionStates: ListedTransaction[]} {
    const known = new Set(Object.values(TXN_STATE_NAMES))
    const unknownStateFilters = stateFilters.filter(s => !known.has(s))
    const states = new Set(stateFilters)
    const pids = new Set(producerIdFilters)
    const now = this.clock.now()
    const out: ListedTransaction[] = []
    for (const md of this.state.all()) {
      const name = TXN_STATE_NAMES[md.state]
      if (states.size > 0 && !states.has(name)) continue
      if (pids.size > 0 && !pids.has(md.producerId)) continue
      if (durationFilterMs >= 0 && (md.state !== TxnState.Ongoing || now - md.txnStartTimestamp < durationFilterMs)) continue
      out.push({transactionalId: md.transactionalId, producerId: md.producerId, transactionState: name})
    }
    return {errorCode: this.state.isLoading ? ErrorCode.COORDINATOR_LOAD_IN_PROGRESS : ErrorCode.NONE, unknownStateFilters, transactionStates: out}
  }
}

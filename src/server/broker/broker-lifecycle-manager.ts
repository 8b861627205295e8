/**
 * The broker's side of its registration with the controller (Kafka `BrokerLifecycleManager`):
 * BrokerRegistration until the active controller accepts it (the answer's broker epoch is the offset
 * of the RegisterBrokerRecord), then a BrokerHeartbeat every `broker.heartbeat.interval.ms` carrying
 * the metadata offset this broker has replayed. The controller answers whether the broker has caught
 * up (replayed its own registration) and whether it is fenced; a broker starts fenced and is unfenced
 * once caught up. While fenced, a heartbeat goes out as soon as the replayed offset reaches the
 * registration, so unfencing takes a round trip, not a heartbeat interval.
 *
 * Controlled shutdown: heartbeats with `wantShutDown` until the controller answers `shouldShutDown`.
 * A broker unregistered while running (STALE_BROKER_EPOCH) stays unregistered until it restarts, as in Kafka.
 */
import {ErrorCode, errorName} from '../../protocol/errors.js'
import {BrokerHeartbeatApi, type BrokerHeartbeatResponse} from '../../protocol/generated/messages/broker-heartbeat.js'
import {BrokerRegistrationApi, type BrokerRegistrationResponse} from '../../protocol/generated/messages/broker-registration.js'
import type {Logger} from '../util/logger.js'
import type {ControllerChannel} from './controller-channel.js'

export type BrokerState = 'STARTING' | 'RECOVERY' | 'RUNNING' | 'PENDING_CONTROLLED_SHUTDOWN' | 'SHUTTING_DOWN'

export interface BrokerLifecycleOptions {
  nodeId: number
  clusterId: string
  /** A fresh random id per process start (tells the controller a restarted broker from a duplicate). */
  incarnationId: string
  channel: Pick<ControllerChannel, 'send' | 'activeControllerEpoch'>
  listeners: {name: string, host: string, port: number, securityProtocol: number}[]
  rack: string | null
  /** Directory ids of the log directories. */
  logDirs: string[]
  /** metadata.version levels this broker supports. */
  metadataVersionRange: {min: number, max: number}
  /** `broker.heartbeat.interval.ms` */
  heartbeatIntervalMs: number
  /** `broker.session.timeout.ms`: how long a previous incarnation's session can block registration. */
  sessionTimeoutMs: number
  /** Pause before retrying a failed registration or heartbeat, ms. */
  retryBackoffMs: number
  /** The offset of the last metadata record this broker has replayed. */
  metadataOffset(): number
  logger: Logger
}

interface Deferred { promise: Promise<void>, resolve: () => void, reject: (err: Error) => void }

function deferred(): Deferred {
  let resolve!: () => void
  let reject!: (err: Error) => void
  const promise = new Promise<void>((res, rej) => { resolve = res; reject = rej })
  promise.catch(() => undefined)
  return {promise, resolve, reject}
}

/**
 * Registration errors that retrying cannot fix: this process must not run as this broker
 * (another live broker has its id, its storage belongs to another cluster, or it cannot run the
 * cluster's metadata.version).
 */
const FATAL_REGISTRATION_ERRORS: ReadonlyMap<number, (id: number) => string> = new Map([
  [ErrorCode.DUPLICATE_BROKER_REGISTRATION, (id: number) => `another live broker is registered with node.id ${id}`],
  // DUPLICATE_BROKER_REGISTRATION is also what a broker restarted right after a crash hears until
  // its previous session expires: it is fatal only once it outlasts broker.session.timeout.ms under
  // one active controller (a new active controller starts every broker's session afresh).
  [ErrorCode.INCONSISTENT_CLUSTER_ID, () => 'its storage was formatted with another cluster id than the controller quorum\'s'],
  [ErrorCode.UNSUPPORTED_VERSION, () => 'it does not support the cluster\'s finalized metadata.version'],
])

export class BrokerLifecycleManager {
  private stateValue: BrokerState = 'STARTING'
  private epoch = -1
  private fenced = true
  private wantShutDown = false
  private closed = false
  private wake: (() => void) | null = null
  private readonly caughtUpD = deferred()
  private readonly unfencedD = deferred()
  private readonly shutdownD = deferred()
  private loop: Promise<void> | null = null
  /** When DUPLICATE_BROKER_REGISTRATION was first heard from the current active controller (its Raft epoch). */
  private duplicateSince: {ms: number, controllerEpoch: number} | null = null
  /** When the controller last answered a heartbeat (ms). */
  private lastAnsweredMs = 0

  constructor(private readonly opts: BrokerLifecycleOptions) {}

  get state(): BrokerState {
    return this.stateValue
  }

  /** The broker epoch the controller assigned, -1 before registration. */
  get brokerEpoch(): number {
    return this.epoch
  }

  /**
   * Resolves once the controller says this broker has replayed the log up to its registration;
   * rejects when the controller refuses the registration for good (FATAL_REGISTRATION_ERRORS).
   */
  get caughtUp(): Promise<void> {
    return this.caughtUpD.promise
  }

  /** Resolves the first time the controller unfences this broker. */
  get unfenced(): Promise<void> {
    return this.unfencedD.promise
  }

  /** Starts registering and heartbeating in the background. */
  start(): void {
    this.loop ??= this.run()
  }

  /** Tells the manager that the replayed metadata offset moved (a fenced broker then heartbeats at once). */
  metadataAdvanced(): void {
    if (this.fenced && this.epoch >= 0 && this.opts.metadataOffset() >= this.epoch) this.wake?.()
  }

  /**
   * Controlled shutdown: heartbeats with wantShutDown until the controller lets the broker go, or
   * `timeoutMs` passes, or no heartbeat has been answered for two heartbeat intervals (no controller
   * can decide: the rest of the quorum is gone, as when a whole cluster stops; Kafka waits its full
   * timeout there). Resolves either way: the controller fences the broker when its session expires.
   * @returns true when the controller answered shouldShutDown
   */
  async controlledShutdown(timeoutMs: number): Promise<boolean> {
    if (this.epoch < 0 || this.closed) return false
    this.wantShutDown = true
    this.stateValue = 'PENDING_CONTROLLED_SHUTDOWN'
    this.lastAnsweredMs = Date.now()
    this.wake?.()
    const unanswered = 2 * this.opts.heartbeatIntervalMs
    let timer: NodeJS.Timeout | undefined
    let check: NodeJS.Timeout | undefined
    const done = await Promise.race([
      this.shutdownD.promise.then(() => true),
      new Promise<boolean>(resolve => { timer = setTimeout(() => resolve(false), timeoutMs) }),
      new Promise<boolean>(resolve => {
        check = setInterval(() => { if (Date.now() - this.lastAnsweredMs >= unanswered) resolve(false) }, 100)
      }),
    ])
    clearTimeout(timer)
    clearInterval(check)
    this.stateValue = 'SHUTTING_DOWN'
    return done
  }

  /** Stops heartbeating. */
  async close(): Promise<void> {
    this.closed = true
    this.wake?.()
    await this.loop
  }

  private sleep(ms: number): Promise<void> {
    return new Promise(resolve => {
      const t = setTimeout(() => { this.wake = null; resolve() }, ms)
      this.wake = () => { clearTimeout(t); this.wake = null; resolve() }
    })
  }

  private async run(): Promise<void> {
    const {opts} = this
    while (!this.closed) {
      let next = opts.heartbeatIntervalMs
      try {
        if (this.epoch < 0) next = await this.register()
        else next = await this.heartbeat()
      } catch (err) {
        if (this.closed) break
        opts.logger.warn(`${this.epoch < 0 ? 'Registration' : 'Heartbeat'} failed: ${(err as Error).message}`)
        next = opts.retryBackoffMs
      }
      if (this.closed) break
      if (next > 0) await this.sleep(next)
    }
  }

  /** One BrokerRegistration; returns the delay before the next step. */
  private async register(): Promise<number> {
    const {opts} = this
    const res = await opts.channel.send<BrokerRegistrationResponse>(BrokerRegistrationApi, {
      brokerId: opts.nodeId,
      clusterId: opts.clusterId,
      incarnationId: opts.incarnationId,
      listeners: opts.listeners,
      features: [{name: 'metadata.version', minSupportedVersion: opts.metadataVersionRange.min, maxSupportedVersion: opts.metadataVersionRange.max}],
      rack: opts.rack,
      isMigratingZkBroker: false,
      logDirs: opts.logDirs,
      previousBrokerEpoch: -1,
    })
    if (res.errorCode !== ErrorCode.NONE) {
      const fatal = FATAL_REGISTRATION_ERRORS.get(res.errorCode)
      const now = Date.now()
      const controllerEpoch = opts.channel.activeControllerEpoch
      if (res.errorCode === ErrorCode.DUPLICATE_BROKER_REGISTRATION && this.duplicateSince?.controllerEpoch !== controllerEpoch) {
        this.duplicateSince = {ms: now, controllerEpoch}
      }
      const waitForSession = res.errorCode === ErrorCode.DUPLICATE_BROKER_REGISTRATION && now - this.duplicateSince!.ms < opts.sessionTimeoutMs * 1.5
      if (fatal !== undefined && !waitForSession) {
        const err = new Error(`The controller refused to register broker ${opts.nodeId} (${errorName(res.errorCode)}): ${fatal(opts.nodeId)}`)
        this.closed = true
        this.caughtUpD.reject(err)
        this.unfencedD.reject(err)
        throw err
      }
      opts.logger.warn(`Unable to register broker ${opts.nodeId} because the controller returned error ${errorName(res.errorCode)}`)
      return opts.retryBackoffMs * 10
    }
    this.epoch = res.brokerEpoch
    this.fenced = true
    this.duplicateSince = null
    opts.logger.info(`Successfully registered broker ${opts.nodeId} with broker epoch ${res.brokerEpoch}`)
    return 0
  }

  /** One BrokerHeartbeat; returns the delay before the next one. */
  private async heartbeat(): Promise<number> {
    const {opts} = this
    // A heartbeat not answered within an interval is given up and sent again (Kafka's lifecycle
    // manager does the same), so a controller that cannot commit does not hold the loop.
    const res = await opts.channel.send<BrokerHeartbeatResponse>(BrokerHeartbeatApi, {
      brokerId: opts.nodeId,
      brokerEpoch: this.epoch,
      currentMetadataOffset: opts.metadataOffset(),
      wantFence: false,
      wantShutDown: this.wantShutDown,
      offlineLogDirs: [],
    }, Math.max(opts.heartbeatIntervalMs, 500))
    this.lastAnsweredMs = Date.now()
    if (res.errorCode !== ErrorCode.NONE) {
      // STALE_BROKER_EPOCH after `kts cluster unregister`: like Kafka, the broker stays
      // unregistered (and fenced for clients) until it restarts.
      opts.logger.warn(`Broker heartbeat failed with error ${errorName(res.errorCode)}`)
      return opts.retryBackoffMs
    }
    if (res.isCaughtUp) {
      if (this.stateValue === 'STARTING') this.stateValue = 'RECOVERY'
      this.caughtUpD.resolve()
    }
    if (this.fenced !== res.isFenced && !this.wantShutDown) {
      opts.logger.info(res.isFenced ? `The controller fenced broker ${opts.nodeId}` : `The controller unfenced broker ${opts.nodeId}`)
    }
    this.fenced = res.isFenced
    if (!res.isFenced) {
      if (this.stateValue === 'RECOVERY' || this.stateValue === 'STARTING') this.stateValue = 'RUNNING'
      this.unfencedD.resolve()
    }
    if (res.shouldShutDown) {
      this.shutdownD.resolve()
      this.closed = true
      return 0
    }
    // Shutting down, or fenced although caught up: ask again soon. A fenced broker that has not
    // caught up yet is woken by metadataAdvanced().
    if (this.wantShutDown || (this.fenced && opts.metadataOffset() >= this.epoch)) return opts.retryBackoffMs
    return opts.heartbeatIntervalMs
  }
}

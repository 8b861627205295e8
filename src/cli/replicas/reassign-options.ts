/**
 * Option validation of `kts reassign-partitions` (Kafka 3.9
 * `ReassignPartitionsCommand.validateAndParseArgs`): exactly one action, its required arguments,
 * and only the options the action permits. Pure: no I/O.
 */
import {UsageError} from '../errors.js'
import {resolveBootstrapServer} from '../flags.js'

export type ReassignAction = 'generate' | 'execute' | 'verify' | 'cancel' | 'list'
const ACTIONS: readonly ReassignAction[] = ['generate', 'execute', 'verify', 'cancel', 'list']

/** Raw command-line values, as parsed by oclif (Kafka's option names). */
export interface RawReassignFlags {
  generate?: boolean
  execute?: boolean
  verify?: boolean
  cancel?: boolean
  list?: boolean
  'bootstrap-server'?: string
  'command-config'?: string
  'reassignment-json-file'?: string
  'topics-to-move-json-file'?: string
  'broker-list'?: string
  'disable-rack-aware'?: boolean
  throttle?: string
  'replica-alter-log-dirs-throttle'?: string
  timeout?: string
  additional?: boolean
  'preserve-throttles'?: boolean
}

export interface ReassignOptions {
  action: ReassignAction
  bootstrapServer: string
  commandConfig?: string
  reassignmentJsonFile?: string
  topicsToMoveJsonFile?: string
  brokerList?: string
  disableRackAware: boolean
  /** Inter-broker throttle, B/s; -1 for none. */
  throttle: number
  /** Log-directory move throttle, B/s; -1 for none. */
  logDirThrottle: number
  /** Wait for log directory moves to start, ms. */
  timeoutMs: number
  additional: boolean
  preserveThrottles: boolean
}

const REQUIRED: Record<ReassignAction, (keyof RawReassignFlags)[]> = {
  verify: ['reassignment-json-file'],
  generate: ['topics-to-move-json-file', 'broker-list'],
  execute: ['reassignment-json-file'],
  cancel: ['reassignment-json-file'],
  list: [],
}

const PERMITTED: Record<ReassignAction, (keyof RawReassignFlags)[]> = {
  verify: ['bootstrap-server', 'command-config', 'preserve-throttles'],
  generate: ['bootstrap-server', 'broker-list', 'command-config', 'disable-rack-aware'],
  execute: ['additional', 'bootstrap-server', 'command-config', 'throttle', 'replica-alter-log-dirs-throttle', 'timeout'],
  cancel: ['bootstrap-server', 'command-config', 'preserve-throttles', 'timeout'],
  list: ['bootstrap-server', 'command-config'],
}

/** Options in Kafka's declaration order (the order the "can't be used" check reports them). */
const OPTION_ORDER: (keyof RawReassignFlags)[] = [
  'bootstrap-server', 'command-config', 'reassignment-json-file', 'topics-to-move-json-file', 'broker-list', 'disable-rack-aware',
  'throttle', 'replica-alter-log-dirs-throttle', 'timeout', 'additional', 'preserve-throttles',
]

function parseLong(value: string, option: string): number {
  const t = value.trim()
  if (!/^[+-]?\d+$/.test(t) || !Number.isSafeInteger(Number(t))) throw new UsageError(`Cannot parse argument '${value}' of option ${option}`)
  return Number(t)
}

/**
 * Validates the flags.
 * @throws UsageError `Command must include exactly one action: --generate, --execute, --verify, --cancel, --list`,
 *   `Missing required argument "[reassignment-json-file]"`, `Option "[throttle]" can't be used with action "[verify]"`,
 *   `Cannot parse argument 'x' of option throttle`
 */
export function validateReassignOptions(raw: RawReassignFlags): ReassignOptions {
  const actions = ACTIONS.filter(a => raw[a] === true)
  if (actions.length !== 1) throw new UsageError(`Command must include exactly one action: ${ACTIONS.map(a => `--${a}`).join(', ')}`)
  const action = actions[0]
  const given = (k: keyof RawReassignFlags): boolean => raw[k] !== undefined && raw[k] !== false
  for (const req of REQUIRED[action]) if (!given(req)) throw new UsageError(`Missing required argument "[${req}]"`)
  for (const opt of OPTION_ORDER) {
    if (given(opt) && !REQUIRED[action].includes(opt) && !PERMITTED[action].includes(opt)) {
      throw new UsageError(`Option "[${opt}]" can't be used with action "[${action}]"`)
    }
  }
  return {
    action,
    bootstrapServer: resolveBootstrapServer(raw['bootstrap-server']),
    commandConfig: raw['command-config'],
    reassignmentJsonFile: raw['reassignment-json-file'],
    topicsToMoveJsonFile: raw['topics-to-move-json-file'],
    brokerList: raw['broker-list'],
    disableRackAware: raw['disable-rack-aware'] === true,
    throttle: raw.throttle === undefined ? -1 : parseLong(raw.throttle, 'throttle'),
    logDirThrottle: raw['replica-alter-log-dirs-throttle'] === undefined ? -1 : parseLong(raw['replica-alter-log-dirs-throttle'], 'replica-alter-log-dirs-throttle'),
    timeoutMs: raw.timeout === undefined ? 10_000 : parseLong(raw.timeout, 'timeout'),
    additional: raw.additional === true,
    preserveThrottles: raw['preserve-throttles'] === true,
  }
}

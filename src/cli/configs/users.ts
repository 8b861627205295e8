/**
 * `kts configs --entity-type users` (Kafka's `ConfigCommand` for users with `--bootstrap-server`):
 * SCRAM credentials only (kts has no client quotas).
 *
 * - `--alter --add-config 'SCRAM-SHA-512=[iterations=8192,password=alice-secret]'`: the tool picks a
 *   random 32-byte salt and derives the salted password (PBKDF2, `iterations` default 4096, at least
 *   the mechanism's minimum), then sends AlterUserScramCredentials; the password never leaves this
 *   process. `--delete-config SCRAM-SHA-512` removes a credential. Kafka's messages for bad input.
 * - `--describe [--entity-name alice]`: `SCRAM credential configs for user-principal 'alice' are
 *   SCRAM-SHA-256=iterations=4096, SCRAM-SHA-512=iterations=8192` per user with credentials.
 */
import crypto from 'node:crypto'
import {saltedPassword, scramMechanismByName, scramMechanismByType} from '../../protocol/security/scram.js'
import {TerseError, UsageError} from '../errors.js'
import {KraftAdmin} from '../quorum/kraft-admin.js'
import type {ConfigEntity} from './resource-configs.js'

/** Kafka's `ScramMechanism.isScram`. */
export function isScramConfig(name: string): boolean {
  return scramMechanismByName(name) !== undefined
}

/** Kafka's client quota config names (QuotaConfigs.isClientOrUserQuotaConfig). */
const QUOTA_CONFIGS = new Set(['producer_byte_rate', 'consumer_byte_rate', 'request_percentage', 'controller_mutation_rate'])

const DEFAULT_SCRAM_ITERATIONS = 4096

/** One line per described user, as Kafka prints them (none for the default entity: Kafka describes no SCRAM then). */
export async function describeUsers(admin: KraftAdmin, names: string[]): Promise<string[]> {
  if (names.includes('')) return []
  const users = await admin.describeUserScramCredentials(names)
  return users.map(({user, credentials}) => {
    const text = credentials.map((c) => `${scramMechanismByType(c.mechanism)?.name ?? `UNKNOWN(${c.mechanism})`}=iterations=${c.iterations}`).join(', ')
    return `SCRAM credential configs for user-principal '${user}' are ${text}`
  })
}

/**
 * Alters the SCRAM credentials of `user`.
 * @throws UsageError / TerseError with Kafka's messages (`Only quota and SCRAM credential configs can be added for 'users' using --bootstrap-server. ...`)
 */
export async function alterUser(admin: KraftAdmin, user: string | undefined, toAdd: Map<string, string>, toDelete: string[]): Promise<string> {
  const unknownAdd = [...toAdd.keys()].filter((k) => !isScramConfig(k) && !QUOTA_CONFIGS.has(k))
  if (unknownAdd.length > 0) throw new UsageError(`Only quota and SCRAM credential configs can be added for 'users' using --bootstrap-server. Unexpected config names: Set(${unknownAdd.join(', ')})`)
  const unknownDelete = toDelete.filter((k) => !isScramConfig(k) && !QUOTA_CONFIGS.has(k))
  if (unknownDelete.length > 0) throw new UsageError(`Only quota and SCRAM credential configs can be deleted for 'users' using --bootstrap-server. Unexpected config names: List(${unknownDelete.join(', ')})`)
  if ([...toAdd.keys(), ...toDelete].some((k) => QUOTA_CONFIGS.has(k))) {
    throw new TerseError('Client quotas are not supported by kts yet (no DescribeClientQuotas / AlterClientQuotas): only SCRAM credential configs can be altered for users')
  }
  if (user === undefined || user === '') throw new UsageError('The use of --entity-default or --user-defaults is not allowed with User SCRAM Credentials using --bootstrap-server.')
  const deletions = toDelete.map((name) => ({name: user, mechanism: scramMechanismByName(name)!.type}))
  const upsertions = []
  for (const [name, value] of toAdd) {
    const m = scramMechanismByName(name)!
    const match = /^(?:iterations=(-?[0-9]*),)?password=(.*)$/s.exec(value)
    if (!match) throw new UsageError(`Invalid credential property ${name}=[hidden]`)
    const iterations = match[1] !== undefined && match[1] !== '' && match[1] !== '-1' ? Number(match[1]) : DEFAULT_SCRAM_ITERATIONS
    if (!Number.isInteger(iterations)) throw new UsageError(`Invalid credential property ${name}=[hidden]`)
    if (iterations < m.minIterations) throw new UsageError(`Iterations ${iterations} is less than the minimum ${m.minIterations} required for ${m.name}`)
    const salt = crypto.randomBytes(32)
    upsertions.push({name: user, mechanism: m.type, iterations, salt, saltedPassword: await saltedPassword(m, match[2], salt, iterations)})
  }
  await admin.alterUserScramCredentials(deletions, upsertions)
  return `Completed updating config for user ${user}.`
}

/** `--entity-type users` of `kts configs` (entities.ts). */
export const usersEntity: ConfigEntity = {
  async describe({target, opts, out}) {
    const admin = new KraftAdmin(target)
    try {
      for (const line of await describeUsers(admin, opts.entityName === null ? [] : [opts.entityName])) out(line)
    } finally {
      admin.close()
    }
  },
  async alter({target, opts, out}) {
    const admin = new KraftAdmin(target)
    try {
      out(await alterUser(admin, opts.entityName ?? undefined, opts.toAdd, opts.toDelete))
    } finally {
      admin.close()
    }
  },
}

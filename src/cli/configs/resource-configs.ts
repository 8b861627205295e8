/**
 * The describe and alter flows ConfigCommand runs for entities backed by DescribeConfigs /
 * IncrementalAlterConfigs resources (topics, brokers): Kafka 3.9 `ConfigCommand.describeResourceConfig`,
 * `getResourceConfig` and `alterResourceConfig`. Entity modules (`topics.ts`, `brokers.ts`) give
 * the resource type, the entity's dynamic config source and how to list every entity.
 */
import {TerseError} from '../errors.js'
import type {DescribedConfigEntry, PartitionAdmin} from '../replicas/partition-admin.js'
import type {ConfigCommandOptions} from './config-options.js'
import type {AdminTarget} from '../quorum/admin-target.js'
import {describeHeader, describeLine, selectEntries} from './render-configs.js'

/** What an entity handler gets from the command. */
export interface ConfigCommandContext {
  admin: PartitionAdmin
  /** Where the command connects (for entities served by other admin calls, e.g. users' SCRAM credentials). */
  target: AdminTarget
  opts: ConfigCommandOptions
  /** Prints one stdout line. */
  out(line: string): void
}

/** One `--entity-type` of `kts configs`. */
export interface ConfigEntity {
  describe(ctx: ConfigCommandContext): Promise<void>
  alter(ctx: ConfigCommandContext): Promise<void>
}

/** How a resource-backed entity maps onto DescribeConfigs / IncrementalAlterConfigs. */
export interface ResourceEntity {
  /** ConfigResource type id (TOPIC 2, BROKER 4, BROKER_LOGGER 8). */
  resourceType: number
  /** The source of the entity's dynamic configs for `name` (`''` = the default entity), null when every entry counts. */
  dynamicSource(name: string): number | null
  /** Every entity `--describe` lists without a name. */
  listEntities(admin: PartitionAdmin): Promise<string[]>
}

async function resourceConfig(ctx: ConfigCommandContext, e: ResourceEntity, name: string, includeSynonyms: boolean, describeAll: boolean): Promise<DescribedConfigEntry[]> {
  const entries = await ctx.admin.describeConfigs(e.resourceType, name, includeSynonyms)
  return selectEntries(entries, e.dynamicSource(name), describeAll)
}

/** `--describe [--all]`: the named entity, or every entity. */
export async function describeResource(ctx: ConfigCommandContext, e: ResourceEntity): Promise<void> {
  const {opts} = ctx
  const names = opts.entityName !== null ? [opts.entityName] : await e.listEntities(ctx.admin)
  for (const name of names) {
    ctx.out(describeHeader(opts.entityType, name, opts.describeAll))
    for (const entry of await resourceConfig(ctx, e, name, true, opts.describeAll)) ctx.out(describeLine(entry))
  }
}

/**
 * `--alter`: deletions (only of configs the entity has dynamically, else `Invalid config(s): k`)
 * and additions in one IncrementalAlterConfigs, then `Completed updating config for topic t.` /
 * `Completed updating default config for brokers in the cluster.`
 */
export async function alterResource(ctx: ConfigCommandContext, e: ResourceEntity): Promise<void> {
  const {opts} = ctx
  const name = opts.entityName ?? ''
  if (opts.toDelete.length > 0) {
    const current = new Set((await resourceConfig(ctx, e, name, false, false)).map((c) => c.name))
    const invalid = opts.toDelete.filter((k) => !current.has(k))
    if (invalid.length > 0) throw new TerseError(`Invalid config(s): ${invalid.join(',')}`)
  }
  await ctx.admin.incrementalAlterConfigs([{
    resourceType: e.resourceType, resourceName: name,
    ops: [...opts.toDelete.map((k) => ({name: k, op: 1, value: '' as string | null})), ...[...opts.toAdd].map(([k, v]) => ({name: k, op: 0, value: v as string | null}))],
  }])
  ctx.out(name !== '' ? `Completed updating config for ${opts.entityType.slice(0, -1)} ${name}.` : `Completed updating default config for ${opts.entityType} in the cluster.`)
}

/** An entity handler for a resource-backed entity type. */
export function resourceEntity(e: ResourceEntity): ConfigEntity {
  return {describe: (ctx) => describeResource(ctx, e), alter: (ctx) => alterResource(ctx, e)}
}

/**
 * The `kts configs` entity types kts serves, by `--entity-type` name. Others (`broker-loggers`,
 * `clients`, `ips`, `client-metrics`, `groups`) are refused
 * with one line naming the type (docs/COMPATIBILITY.md).
 */
import {brokersEntity} from './brokers.js'
import type {ConfigEntity} from './resource-configs.js'
import {topicsEntity} from './topics.js'
import {usersEntity} from './users.js'

export const CONFIG_ENTITIES: ReadonlyMap<string, ConfigEntity> = new Map([
  ['topics', topicsEntity],
  ['brokers', brokersEntity],
  ['users', usersEntity],
])

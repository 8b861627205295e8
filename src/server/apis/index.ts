/**
 * Every API this node serves, by listener kind. ApiVersions is computed from these lists, so an
 * API missing here is neither advertised nor accepted.
 */
import type {ApiDefinition} from './registry.js'
import {apiVersions} from './api-versions.js'
import {metadata} from './metadata.js'
import {produce} from './produce.js'
import {fetch} from './fetch.js'
import {listOffsets} from './list-offsets.js'
import {offsetForLeaderEpoch} from './offset-for-leader-epoch.js'
import {initProducerId} from './init-producer-id.js'
import {deleteRecords} from './delete-records.js'

function byKey(defs: ApiDefinition[]): Map<number, ApiDefinition> {
  const m = new Map<number, ApiDefinition>()
  for (const d of defs) {
    if (m.has(d.spec.apiKey)) throw new Error(`API ${d.spec.name} registered twice`)
    m.set(d.spec.apiKey, d)
  }
  return m
}

/** APIs served on broker listeners (schema `listeners` includes `broker`). */
export function brokerApis(extra: ApiDefinition[] = []): Map<number, ApiDefinition> {
  const defs = [apiVersions, metadata, produce, fetch, listOffsets, offsetForLeaderEpoch, initProducerId, deleteRecords, ...extra]
  return byKey(defs.filter((d) => d.spec.listeners.includes('broker')))
}

/** APIs served on controller listeners (schema `listeners` includes `controller`). */
export function controllerApis(extra: ApiDefinition[] = []): Map<number, ApiDefinition> {
  const defs = [apiVersions, ...extra]
  return byKey(defs.filter((d) => d.spec.listeners.includes('controller')))
}

/**
 * `kts configs --entity-type brokers` (`--broker 1`, `--broker-defaults`, `--entity-default`): BROKER
 * resources; a broker id's dynamic source is DYNAMIC_BROKER_CONFIG, the cluster default's (`''`)
 * DYNAMIC_DEFAULT_BROKER_CONFIG. Without a name: every live broker, then the default entity.
 */
import {resourceEntity, type ConfigEntity} from './resource-configs.js'

export const brokersEntity: ConfigEntity = resourceEntity({
  resourceType: 4,
  dynamicSource: (name) => (name === '' ? 3 : 2),
  listEntities: async (admin) => [...(await admin.describeCluster()).map((n) => String(n.id)), ''],
})

/** `kts configs --entity-type topics` (`--topic t`): TOPIC resources, dynamic source DYNAMIC_TOPIC_CONFIG. */
import {resourceEntity, type ConfigEntity} from './resource-configs.js'

export const topicsEntity: ConfigEntity = resourceEntity({
  resourceType: 2,
  dynamicSource: () => 1,
  // Kafka lists every topic, internal ones included (listTopics().listInternal(true)); kts sorts them.
  listEntities: async (admin) => (await admin.describeTopics(null)).map((t) => t.name).sort(),
})

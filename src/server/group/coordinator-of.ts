/** Handler-side access to the node's group coordinator (`BrokerServices.groupCoordinator`). */
import type {RequestContext} from '../apis/registry.js'
import type {GroupCoordinator} from './group-coordinator.js'

/** The coordinator, or null when this node runs none (handlers then answer COORDINATOR_NOT_AVAILABLE). */
export function coordinatorOf(ctx: RequestContext): GroupCoordinator | null {
  return (ctx.services.groupCoordinator as GroupCoordinator | undefined) ?? null
}

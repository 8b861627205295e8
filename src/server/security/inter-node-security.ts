/**
 * How this node's own clients secure their connections to other nodes (Kafka's inter-broker and
 * controller channel builders): replica fetchers to the leader's `inter.broker.listener.name` (or the
 * listener named by `security.inter.broker.protocol`) with `sasl.mechanism.inter.broker.protocol`;
 * brokers to controllers and controllers to each other (Raft) on the first of
 * `controller.listener.names` with `sasl.mechanism.controller.protocol`. TLS settings and the JAAS
 * login (`username`/`password`) come from that listener's `listener.name.<l>.*` keys (see
 * listener-security.ts).
 */
import type {ServerConfig} from '../config/server-config.js'
import type {ClientSecurity} from '../../protocol/security/client-security.js'
import {interNodeClientSecurity} from './listener-security.js'

export interface InterNodeSecurity {
  /** To another broker's inter-broker listener. */
  interBroker: ClientSecurity
  /** To a controller's listener (controller channel, Raft). */
  controller: ClientSecurity
}

/** @throws ConfigError when a SASL/SSL inter-node listener lacks a usable client login or TLS material. */
export function interNodeSecurity(config: ServerConfig): InterNodeSecurity {
  const hasBroker = config.processRoles.includes('broker')
  const controllerListener = config.controllerListenerNames[0]
  return {
    interBroker: hasBroker
      ? interNodeClientSecurity(config, config.interBrokerListenerName, String(config.get('sasl.mechanism.inter.broker.protocol')))
      : {protocol: 'PLAINTEXT'},
    controller: controllerListener === undefined
      ? {protocol: 'PLAINTEXT'}
      : interNodeClientSecurity(config, controllerListener, String(config.get('sasl.mechanism.controller.protocol'))),
  }
}

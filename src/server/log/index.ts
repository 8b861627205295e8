/** Storage layer entry point (spec §3): UnifiedLog, LogManager and their types. */
export * from './log-config.js'
export {UnifiedLog, type UnifiedLogOpenOptions} from './unified-log.js'
export * from './log-manager.js'
export * from './checkpoint-file.js'
export {awaitFileWrites} from './atomic-file-writer.js'
export * from './partition-metadata.js'

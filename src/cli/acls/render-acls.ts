/**
 * The text of `kts acls`, byte for byte as Kafka 4.0's `AclCommand` prints it (`System.out.println`
 * of its strings; `NL` is `\n`). Pure functions; each returns what one println writes, newline included.
 */
import {bindingText, entryText, patternText, type AccessControlEntry, type ResourcePatternFilter} from './acl-model.js'

const entries = (es: AccessControlEntry[]): string => es.map(e => `\t${entryText(e)}`).join('\n')

/** `Adding ACLs for resource \`...\`: ` NL ` \t(entry)` NL ... NL. */
export function renderAdding(pattern: ResourcePatternFilter, es: AccessControlEntry[]): string {
  return `Adding ACLs for resource \`${patternText(pattern)}\`: \n ${entries(es)}\n\n`
}

/** `Acl (pattern=..., entry=...) already exists.` */
export function renderAlreadyExists(pattern: ResourcePatternFilter, e: AccessControlEntry): string {
  return `Acl ${bindingText(pattern, e)} already exists.\n`
}

/** `Current ACLs for resource \`...\`:` NL `\t(entry)` ... NL. */
export function renderCurrent(pattern: ResourcePatternFilter, es: AccessControlEntry[]): string {
  return `Current ACLs for resource \`${patternText(pattern)}\`:\n${entries(es)}\n\n`
}

/** `ACLs for principal \`User:alice\`` (`--list --principal`). */
export function renderPrincipalHeader(principal: string): string {
  return `ACLs for principal \`${principal}\`\n`
}

/** The `--remove` question (without `--force`). */
export function removeQuestion(filter: ResourcePatternFilter, es: AccessControlEntry[]): string {
  if (es.length === 0) return `Are you sure you want to delete all ACLs for resource filter \`${patternText(filter)}\`? (y/n)`
  return `Are you sure you want to remove ACLs: \n ${entries(es)}\n from resource filter \`${patternText(filter)}\`? (y/n)`
}

/** `Error while executing ACL command: <message>`. */
export function renderAclCommandError(message: string): string {
  return `Error while executing ACL command: ${message}`
}

/**
 * Runs `kts acls --add|--remove|--list` (Kafka 4.0 `AclCommand`): --add describes each resource's
 * current ACLs, reports those that already exist and creates the others; --remove asks
 * (`(y/n)`, unless `--force`) then deletes per resource filter; --list prints the ACLs of the
 * named resources (all without one), optionally per `--principal`. Server errors print
 * `Error while executing ACL command: <exception>` on stdout and fail the command (exit 1).
 */
import readline from 'node:readline'
import {canPrompt, confirm} from '../output/prompt.js'
import {TerseError} from '../errors.js'
import type {AdminTarget} from '../quorum/admin-target.js'
import {AclAdmin, ANY_ENTRY, type AclBinding} from './acl-admin.js'
import {addPlan, aclPlan, checkAclArgs, parsePrincipalList, resourceFilters, sameEntry, type AclAction, type RawAclFlags} from './acl-options.js'
import {PatternType, ResourceType, patternKey, type AccessControlEntry, type ResourcePatternFilter} from './acl-model.js'
import {renderAclCommandError, renderAdding, renderAlreadyExists, renderCurrent, renderPrincipalHeader, removeQuestion} from './render-acls.js'

/** `--json` result: the bindings added, removed or listed. */
export interface AclCommandResult {
  action: AclAction
  acls: {pattern: ResourcePatternFilter, entry: AccessControlEntry}[]
}

/** Kafka's `confirmAction`: `--force` says yes; a terminal gets the inquirer question; a pipe's first line must be `y`. */
async function confirmAction(force: boolean, question: string, write: (s: string) => void): Promise<boolean> {
  if (force) return true
  if (canPrompt()) return confirm(question)
  write(question + '\n')
  const rl = readline.createInterface({input: process.stdin, terminal: false})
  try {
    const line = await new Promise<string>(resolve => {
      rl.once('line', resolve)
      rl.once('close', () => resolve(''))
    })
    return line.trim().toLowerCase() === 'y'
  } finally {
    rl.close()
  }
}

function grouped(bindings: AclBinding[]): {pattern: ResourcePatternFilter, entries: AccessControlEntry[]}[] {
  const m = new Map<string, {pattern: ResourcePatternFilter, entries: AccessControlEntry[]}>()
  for (const b of bindings) {
    const k = patternKey(b.pattern)
    let g = m.get(k)
    if (!g) m.set(k, g = {pattern: b.pattern, entries: []})
    if (!g.entries.some(e => sameEntry(e, b.entry))) g.entries.push(b.entry)
  }
  return [...m.values()]
}

export async function runAclCommand(raw: RawAclFlags, target: AdminTarget, json: boolean): Promise<AclCommandResult> {
  const action = checkAclArgs(raw)
  const write = (s: string): void => {
    if (!json) process.stdout.write(s)
  }
  // Option errors (usage) come before any connection, as Kafka's option parsing does.
  const plan = action === 'add' ? addPlan(raw) : action === 'remove' ? aclPlan(raw) : null
  const listFilters = action === 'list' ? resourceFilters(raw, false) : []
  const listPrincipals = action === 'list' ? parsePrincipalList(raw.principal) : []
  const admin = new AclAdmin(target)
  const result: AclCommandResult = {action, acls: []}
  try {
    if (action === 'add') {
      for (const item of plan!) {
        const pattern = {...item.filter, name: item.filter.name ?? ''}
        const existing = await admin.describeAcls(pattern)
        const fresh: AccessControlEntry[] = []
        for (const e of item.entries) {
          if (existing.some(b => patternKey(b.pattern) === patternKey(pattern) && sameEntry(b.entry, e))) write(renderAlreadyExists(pattern, e))
          else fresh.push(e)
        }
        if (fresh.length === 0) continue
        write(renderAdding(pattern, fresh))
        await admin.createAcls(fresh.map(entry => ({pattern, entry})))
        result.acls.push(...fresh.map(entry => ({pattern, entry})))
      }
    } else if (action === 'remove') {
      for (const item of plan!) {
        if (!await confirmAction(raw.force === true, removeQuestion(item.filter, item.entries), write)) continue
        const filters = item.entries.length === 0
          ? [{pattern: item.filter, entry: ANY_ENTRY}]
          : item.entries.map(e => ({pattern: item.filter, entry: e}))
        const deleted = await admin.deleteAcls(filters)
        result.acls.push(...deleted.map(b => ({pattern: b.pattern, entry: b.entry})))
      }
    } else {
      const bindings: AclBinding[] = []
      if (listFilters.length === 0) bindings.push(...await admin.describeAcls({resourceType: ResourceType.ANY, name: null, patternType: PatternType.ANY}))
      for (const f of listFilters) bindings.push(...await admin.describeAcls(f))
      const groups = grouped(bindings)
      if (listPrincipals.length === 0) {
        for (const g of groups) write(renderCurrent(g.pattern, g.entries))
      } else {
        for (const p of listPrincipals) {
          write(renderPrincipalHeader(p))
          for (const g of groups) {
            const mine = g.entries.filter(e => e.principal === p)
            if (mine.length > 0) write(renderCurrent(g.pattern, mine))
          }
        }
      }
      result.acls = groups.flatMap(g => g.entries.filter(e => listPrincipals.length === 0 || listPrincipals.includes(e.principal)).map(entry => ({pattern: g.pattern, entry})))
    }
    return result
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err)
    write(renderAclCommandError(message) + '\n')
    throw err instanceof TerseError ? err : new TerseError(message, {cause: err})
  } finally {
    admin.close()
  }
}

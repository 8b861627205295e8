/**
 * Consumer-group benchmark (issue 2), driven by librdkafka through `/usr/bin/python3`
 * confluent_kafka processes (bench/group_client.py) and kcat for producing:
 *
 * - assigned consumption: one consumer `assign()`ed every partition of a topic holding N records of
 *   B bytes (default 1,000,000 × 100 B, 6 partitions, produced with `kcat -P -l`), records/s from
 *   resuming the paused assignment until the high watermarks taken then are read;
 * - group consumption: three `subscribe()`d members of a fresh group, each paused on assignment;
 *   once the three hold disjoint shares covering every partition they resume together, and the
 *   figure is N / (last member done − first member resumed). Target: ≥ 80 % of assigned;
 * - offset commits per second from one member: synchronous (one round trip each) and asynchronous
 *   (pipelined, every acknowledgement awaited, the last offset read back);
 * - rebalance after a member leaves: member 3 calls `close()` (LeaveGroup); the time until both
 *   remaining members hold their new assignment (on_assign). Target ≤ 1 s + heartbeat.interval.ms
 *   (the members learn of the rebalance on their next heartbeat; default here 100 ms).
 * Each round uses a fresh group; the best round of each throughput is reported.
 *
 * Standalone: `npm run build && node dist/bench/groups.js [bootstrap]` starts its own broker
 * (`node bin/run.js storage format` + `server start` on random loopback ports in a temp dir, Kafka's
 * default broker settings) unless a bootstrap `host:port` is given. From other code:
 * `runGroupBench(bootstrap)` then `formatGroupBench(result)`.
 * Environment: KTS_BENCH_RECORDS (1000000), KTS_BENCH_RECORD_BYTES (100), KTS_BENCH_GROUP_ROUNDS (2),
 * KTS_BENCH_HEARTBEAT_MS (100), KTS_BENCH_KCAT (kcat), KTS_BENCH_PYTHON (/usr/bin/python3).
 * Exit status 1 when something broke (a process failed, a count is wrong), 0 otherwise, also when
 * a target is missed (marked BELOW TARGET).
 */
import {spawn, type ChildProcess} from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import readline from 'node:readline'
import {fileURLToPath} from 'node:url'
import Table from 'cli-table3'
import {canConnect, envInt, findRepoRoot, freePorts, kraftNodeProperties, renderProperties} from './support.js'

/** Settings of one bench run. */
export interface GroupBenchOptions {
  /** Records to produce and read (default 1,000,000). */
  records?: number
  /** Value size in bytes (default 100). */
  recordBytes?: number
  /** Partitions of the topic (default 6, a multiple of the 3 members). */
  partitions?: number
  /** Throughput rounds (default 2); each also measures one leave rebalance. */
  rounds?: number
  /** heartbeat.interval.ms of the group members (default 100). */
  heartbeatIntervalMs?: number
  /** Seconds of each commit phase (default 3). */
  commitSeconds?: number
  /** Progress lines (default: to stderr). */
  log?: (line: string) => void
}

/** Figures of `runGroupBench`. Rates per second, times in ms. */
export interface GroupBenchResult {
  records: number
  recordBytes: number
  partitions: number
  rounds: number
  /** kcat produce of the records (librdkafka defaults, acks=all), records/s, information only. */
  produceRecordsPerSec: number
  /** Best round: one consumer assigned every partition. */
  assignedRecordsPerSec: number
  /** Best round: a group of three members together. */
  groupRecordsPerSec: number
  /** groupRecordsPerSec / assignedRecordsPerSec (target ≥ 0.8). */
  groupToAssigned: number
  /** Per round: three member processes spawned → all three hold their share (includes process start and group.initial.rebalance.delay.ms). */
  groupFormationMs: number[]
  /** One member, synchronous commits of one partition's offset. */
  syncCommitsPerSec: number
  /** One member, asynchronous (pipelined) commits, all acknowledged. */
  asyncCommitsPerSec: number
  /** Per round: member close() → both remaining members hold their new assignment. */
  rebalanceAfterLeaveMs: number[]
  heartbeatIntervalMs: number
  /** 1000 + heartbeatIntervalMs. */
  rebalanceTargetMs: number
}

const TARGET_GROUP_RATIO = 0.8
const STEP_DEADLINE_MS = 120_000

const ROOT = findRepoRoot()
const CLIENT_PY = path.join(ROOT, 'bench', 'group_client.py')
const PYTHON = process.env.KTS_BENCH_PYTHON || '/usr/bin/python3'
const KCAT = process.env.KTS_BENCH_KCAT || 'kcat'

// ---- child processes ----------------------------------------------------------------------------

/** Every child this module started and has not seen exit; `killAll()` ends them. */
const live = new Set<ChildProcess>()

function killAll(): void {
  for (const c of live) {
    try {
      if (c.pid !== undefined) process.kill(-c.pid, 'SIGKILL')
    } catch {
      // gone
    }
  }
  live.clear()
}

/** One JSON event line of group_client.py. */
interface ClientEvent {
  ev: 'created' | 'assigned' | 'revoked' | 'done' | 'leaving' | 'left' | 'commits'
  t?: number
  t0?: number
  t1?: number
  parts?: number[]
  count?: number
  sync?: number
  sync_s?: number
  async?: number
  async_s?: number
}

/** A group_client.py process: its events in order, commands on stdin. */
class PyClient {
  readonly events: ClientEvent[] = []
  private stderr = ''
  private exitInfo: string | null = null
  private readonly child: ChildProcess
  readonly closed: Promise<void>
  private wake: (() => void) | null = null

  constructor(readonly name: string, args: string[]) {
    this.child = spawn(PYTHON, [CLIENT_PY, ...args], {cwd: ROOT, detached: true, stdio: ['pipe', 'pipe', 'pipe']})
    live.add(this.child)
    readline.createInterface({input: this.child.stdout!}).on('line', (line) => {
      try {
        this.events.push(JSON.parse(line) as ClientEvent)
      } catch {
        this.stderr += `[bench] unexpected stdout line: ${line}\n`
      }
      this.wake?.()
    })
    this.child.stderr!.setEncoding('utf8').on('data', (d: string) => {
      this.stderr = (this.stderr + d).slice(-8000)
    })
    this.child.stdin!.on('error', () => undefined)
    this.closed = new Promise((resolve) => {
      this.child.once('error', (err) => {
        this.exitInfo = `${PYTHON}: ${err.message}`
        live.delete(this.child)
        this.wake?.()
        resolve()
      })
      this.child.once('close', (code, signal) => {
        this.exitInfo = signal ? `killed by ${signal}` : `exit code ${code}`
        live.delete(this.child)
        this.wake?.()
        resolve()
      })
    })
  }

  send(cmd: 'go' | 'leave' | 'quit'): void {
    this.child.stdin!.write(`${cmd}\n`)
  }

  /** The last event of a kind, or undefined. */
  last(ev: ClientEvent['ev']): ClientEvent | undefined {
    for (let i = this.events.length - 1; i >= 0; i--) if (this.events[i].ev === ev) return this.events[i]
    return undefined
  }

  /** Resolves with `check()`'s first non-undefined value; rejects when the process exits first or at the deadline. */
  async until<T>(what: string, check: () => T | undefined, deadlineMs = STEP_DEADLINE_MS): Promise<T> {
    const deadline = Date.now() + deadlineMs
    for (;;) {
      const v = check()
      if (v !== undefined) return v
      if (this.exitInfo !== null) throw new Error(`${this.name} ${this.exitInfo} before ${what}\n${this.stderr}`)
      const left = deadline - Date.now()
      if (left <= 0) throw new Error(`${this.name}: no ${what} within ${deadlineMs} ms\n${this.stderr}`)
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 1000))
        this.wake = () => {
          clearTimeout(timer)
          resolve()
        }
      })
      this.wake = null
    }
  }

  /** Asks to quit and waits for exit (SIGKILL after 15 s); rejects on a non-zero exit. */
  async quit(): Promise<void> {
    if (this.exitInfo === null) this.send('quit')
    const timer = setTimeout(() => {
      if (this.child.pid !== undefined) process.kill(-this.child.pid, 'SIGKILL')
    }, 15_000)
    await this.closed
    clearTimeout(timer)
    if (this.exitInfo !== 'exit code 0') throw new Error(`${this.name} ended with ${this.exitInfo}\n${this.stderr}`)
  }

  kill(): void {
    if (this.child.pid !== undefined && this.exitInfo === null) {
      try {
        process.kill(-this.child.pid, 'SIGKILL')
      } catch {
        // gone
      }
    }
  }
}

/** Runs a program to completion; rejects on a non-zero exit or after `deadlineMs`. */
function run(cmd: string, args: string[], deadlineMs = STEP_DEADLINE_MS): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {cwd: ROOT, detached: true, stdio: ['ignore', 'pipe', 'pipe']})
    live.add(child)
    let out = ''
    child.stdout!.setEncoding('utf8').on('data', (d: string) => (out = (out + d).slice(-8000)))
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (out = (out + d).slice(-8000)))
    const timer = setTimeout(() => {
      if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL')
    }, deadlineMs)
    child.once('error', (err) => {
      clearTimeout(timer)
      live.delete(child)
      reject(new Error(`${cmd}: ${err.message}`))
    })
    child.once('close', (code, signal) => {
      clearTimeout(timer)
      live.delete(child)
      if (code === 0) resolve(out)
      else reject(new Error(`${cmd} ${args.join(' ')} ended with ${signal ?? `exit code ${code}`}\n${out}`))
    })
  })
}

// ---- the bench ----------------------------------------------------------------------------------

/** Writes `n` lines of exactly `bytes` bytes each (the record values for `kcat -P -l`). */
function writeRecordFile(file: string, n: number, bytes: number): void {
  const fd = fs.openSync(file, 'w')
  try {
    const perChunk = Math.max(1, Math.floor((4 << 20) / (bytes + 1)))
    for (let i = 0; i < n; i += perChunk) {
      const m = Math.min(perChunk, n - i)
      const buf = Buffer.alloc(m * (bytes + 1), 'x')
      for (let j = 0; j < m; j++) {
        buf.write(String(i + j).slice(0, bytes), j * (bytes + 1), 'latin1')
        buf[j * (bytes + 1) + bytes] = 0x0a
      }
      fs.writeSync(fd, buf)
    }
  } finally {
    fs.closeSync(fd)
  }
}

/** Throughput of a set of `done` events: total records / (last end − first start). */
function rate(done: ClientEvent[]): {records: number, perSec: number} {
  const records = done.reduce((a, e) => a + (e.count ?? 0), 0)
  const t0 = Math.min(...done.map((e) => e.t0!))
  const t1 = Math.max(...done.map((e) => e.t1!))
  return {records, perSec: records / (t1 - t0)}
}

/** Latest assignment of a client among its events from index `since`, or undefined (none, or revoked since). */
function currentParts(c: PyClient, since = 0): number[] | undefined {
  for (let i = c.events.length - 1; i >= since; i--) {
    const e = c.events[i]
    if (e.ev === 'assigned') return e.parts
    if (e.ev === 'revoked') return undefined
  }
  return undefined
}

/**
 * Resolves when the clients hold disjoint non-empty assignments covering partitions 0..n-1,
 * counting only each client's events from `since[i]` on.
 */
async function untilCovering(clients: PyClient[], n: number, what: string, since: number[] = clients.map(() => 0)): Promise<void> {
  const check = (): true | undefined => {
    const all = clients.map((c, i) => currentParts(c, since[i]))
    if (all.some((p) => p === undefined || p.length === 0)) return undefined
    const flat = all.flat() as number[]
    return flat.length === n && new Set(flat).size === n ? true : undefined
  }
  // Any client's event wakes the waiter; poll them in turn with short deadlines until the overall one.
  const deadline = Date.now() + STEP_DEADLINE_MS
  for (;;) {
    if (check()) return
    if (Date.now() > deadline) {
      throw new Error(`no ${what} within ${STEP_DEADLINE_MS} ms: ${clients.map((c, i) => `${c.name}=${JSON.stringify(currentParts(c, since[i]))}`).join(' ')}`)
    }
    await Promise.race(clients.map((c) => c.until(what, () => (check() ? true : undefined), 200).catch((err: Error) => {
      if (!/no .* within/.test(err.message)) throw err
    })))
  }
}

/**
 * Produces the records with kcat into a fresh topic, then measures assigned vs group consumption,
 * commit rates and the leave rebalance against `bootstrap` (see the file comment).
 * @throws Error when a client process fails, a deadline passes, or a record count is wrong.
 */
export async function runGroupBench(bootstrap: string, opts: GroupBenchOptions = {}): Promise<GroupBenchResult> {
  const records = opts.records ?? envInt('KTS_BENCH_RECORDS', 1_000_000)
  const recordBytes = opts.recordBytes ?? envInt('KTS_BENCH_RECORD_BYTES', 100)
  const partitions = opts.partitions ?? 6
  const rounds = opts.rounds ?? envInt('KTS_BENCH_GROUP_ROUNDS', 2)
  const heartbeatIntervalMs = opts.heartbeatIntervalMs ?? envInt('KTS_BENCH_HEARTBEAT_MS', 100)
  const commitSeconds = opts.commitSeconds ?? 3
  const log = opts.log ?? ((l: string) => process.stderr.write(`${l}\n`))
  const tag = `${process.pid}-${Date.now().toString(36)}`
  const topic = `bench-groups-${tag}`
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kts-bench-groups-'))
  const clients: PyClient[] = []
  const client = (name: string, args: string[]): PyClient => {
    const c = new PyClient(name, args)
    clients.push(c)
    return c
  }
  try {
    const creator = client('create', ['create', bootstrap, topic, String(partitions)])
    await creator.until('topic creation', () => creator.last('created'))
    await creator.quit()

    const file = path.join(dir, 'records.txt')
    writeRecordFile(file, records, recordBytes)
    log(`producing ${records} records of ${recordBytes} bytes to ${topic} (${partitions} partitions) with kcat`)
    let t = performance.now()
    await run(KCAT, ['-b', bootstrap, '-t', topic, '-P', '-l', file, '-X', 'linger.ms=5', '-X', 'batch.num.messages=10000',
      '-X', 'queue.buffering.max.messages=1000000', '-X', 'queue.buffering.max.kbytes=1048576'])
    const produceRecordsPerSec = records / ((performance.now() - t) / 1000)
    fs.rmSync(file, {force: true})

    const assignedRates: number[] = []
    const groupRates: number[] = []
    const groupFormationMs: number[] = []
    const rebalanceAfterLeaveMs: number[] = []
    for (let round = 1; round <= rounds; round++) {
      // One consumer, every partition assigned.
      const one = client(`assigned#${round}`, ['assigned', bootstrap, topic])
      await one.until('assignment', () => one.last('assigned'))
      one.send('go')
      const done = await one.until('end of the partitions', () => one.last('done'))
      await one.quit()
      if (done.count !== records) throw new Error(`assigned consumer read ${done.count} records, expected ${records}`)
      assignedRates.push(rate([done]).perSec)

      // Three members of a fresh group.
      const group = `bench-group-${tag}-${round}`
      t = performance.now()
      const members = [1, 2, 3].map((i) => client(`member${i}#${round}`, ['member', bootstrap, topic, group, String(heartbeatIntervalMs)]))
      await untilCovering(members, partitions, 'group of 3 with every partition assigned')
      groupFormationMs.push(performance.now() - t)
      for (const m of members) m.send('go')
      const dones = await Promise.all(members.map((m) => m.until('end of its partitions', () => m.last('done'))))
      const g = rate(dones)
      if (g.records !== records) throw new Error(`the group read ${g.records} records, expected ${records}`)
      groupRates.push(g.perSec)

      // Member 3 leaves; members 1 and 2 rebalance to cover every partition.
      const seen = members.slice(0, 2).map((m) => m.events.length)
      members[2].send('leave')
      const leaving = await members[2].until('leave', () => members[2].last('leaving'))
      await untilCovering(members.slice(0, 2), partitions, 'new assignment of the 2 remaining members', seen)
      const assignedAt = [0, 1].map((i) => members[i].events.slice(seen[i]).filter((e) => e.ev === 'assigned').pop()!.t!)
      rebalanceAfterLeaveMs.push((Math.max(...assignedAt) - leaving.t!) * 1000)
      await Promise.all(members.map((m) => m.quit()))
      log(`round ${round}: assigned ${Math.round(assignedRates.at(-1)!)} records/s, group ${Math.round(g.perSec)} records/s, ` +
        `group formed in ${Math.round(groupFormationMs.at(-1)!)} ms, rebalance after leave ${Math.round(rebalanceAfterLeaveMs.at(-1)!)} ms`)
    }

    const committer = client('commits', ['commits', bootstrap, topic, `bench-commits-${tag}`, String(commitSeconds)])
    const c = await committer.until('commit figures', () => committer.last('commits'), STEP_DEADLINE_MS + commitSeconds * 2000)
    await committer.quit()

    const assignedRecordsPerSec = Math.max(...assignedRates)
    const groupRecordsPerSec = Math.max(...groupRates)
    return {
      records, recordBytes, partitions, rounds, produceRecordsPerSec,
      assignedRecordsPerSec, groupRecordsPerSec, groupToAssigned: groupRecordsPerSec / assignedRecordsPerSec,
      groupFormationMs,
      syncCommitsPerSec: c.sync! / c.sync_s!,
      asyncCommitsPerSec: c.async! / c.async_s!,
      rebalanceAfterLeaveMs, heartbeatIntervalMs, rebalanceTargetMs: 1000 + heartbeatIntervalMs,
    }
  } finally {
    for (const c of clients) c.kill()
    fs.rmSync(dir, {recursive: true, force: true})
  }
}

/** The figures as a table (cli-table3), targets marked. */
export function formatGroupBench(r: GroupBenchResult): string {
  const n = (v: number): string => Math.round(v).toLocaleString('en-US')
  const table = new Table({head: ['consumer groups', 'result', 'target'], style: {head: [], border: []}})
  const ratioOk = r.groupToAssigned >= TARGET_GROUP_RATIO
  const worstRebalance = Math.max(...r.rebalanceAfterLeaveMs)
  table.push(
    [`produce ${n(r.records)} × ${r.recordBytes} B, ${r.partitions} partitions (kcat)`, `${n(r.produceRecordsPerSec)} records/s`, ''],
    ['one consumer, all partitions assigned (best of ' + r.rounds + ')', `${n(r.assignedRecordsPerSec)} records/s`, ''],
    ['group of 3 consumers (best of ' + r.rounds + ')', `${n(r.groupRecordsPerSec)} records/s`, ''],
    ['group / assigned', `${(r.groupToAssigned * 100).toFixed(0)} %`, `≥ ${TARGET_GROUP_RATIO * 100} %${ratioOk ? '' : '  BELOW TARGET'}`],
    ['group of 3 formed (spawn → all assigned)', r.groupFormationMs.map((v) => `${n(v)} ms`).join(', '), ''],
    ['offset commits, one member, synchronous', `${n(r.syncCommitsPerSec)} /s`, ''],
    ['offset commits, one member, asynchronous', `${n(r.asyncCommitsPerSec)} /s`, ''],
    [`rebalance after 1 of 3 leaves (heartbeat.interval.ms=${r.heartbeatIntervalMs})`, r.rebalanceAfterLeaveMs.map((v) => `${n(v)} ms`).join(', '),
      `≤ ${n(r.rebalanceTargetMs)} ms${worstRebalance <= r.rebalanceTargetMs ? '' : '  BELOW TARGET'}`],
  )
  return table.toString()
}

// ---- standalone: own broker ---------------------------------------------------------------------

/** A kts broker+controller on random loopback ports in `dir` (Kafka's defaults otherwise). */
async function startOwnBroker(dir: string): Promise<{bootstrap: string, stop(): Promise<void>}> {
  const [port, controllerPort] = await freePorts(2)
  const config = path.join(dir, 'server.properties')
  fs.writeFileSync(config, renderProperties({
    ...kraftNodeProperties(port, controllerPort, path.join(dir, 'logs')),
    'listener.security.protocol.map': 'CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
  }))
  const runJs = path.join(ROOT, 'bin', 'run.js')
  const uuid = (await run(process.execPath, [runJs, 'storage', 'random-uuid'])).trim()
  await run(process.execPath, [runJs, 'storage', 'format', '-t', uuid, '-c', config])
  const child = spawn(process.execPath, [runJs, 'server', 'start', config], {cwd: ROOT, detached: true, stdio: ['ignore', 'pipe', 'pipe']})
  live.add(child)
  let out = ''
  let exited = false
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (out = (out + d).slice(-20_000)))
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (out = (out + d).slice(-20_000)))
  const closed = new Promise<void>((resolve) => child.once('close', () => {
    exited = true
    live.delete(child)
    resolve()
  }))
  const deadline = Date.now() + 30_000
  while (!(out.includes('Kafka Server started') && await canConnect(port))) {
    if (exited || Date.now() > deadline) {
      killAll()
      throw new Error(`the kts broker did not start\n${out}`)
    }
    await new Promise((r) => setTimeout(r, 50))
  }
  return {
    bootstrap: `127.0.0.1:${port}`,
    stop: async () => {
      if (exited) return
      process.kill(-child.pid!, 'SIGTERM')
      const timer = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), 15_000)
      await closed
      clearTimeout(timer)
    },
  }
}

async function main(): Promise<void> {
  process.once('exit', killAll)
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.once(sig, () => {
      killAll()
      process.exit(130)
    })
  }
  let bootstrap = process.argv[2]
  let broker: {stop(): Promise<void>} | null = null
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kts-bench-groups-broker-'))
  try {
    if (bootstrap === undefined) {
      const b = await startOwnBroker(dir)
      broker = b
      bootstrap = b.bootstrap
      process.stderr.write(`kts broker on ${bootstrap}\n`)
    }
    const r = await runGroupBench(bootstrap)
    process.stdout.write(`${formatGroupBench(r)}\n`)
  } finally {
    await broker?.stop()
    fs.rmSync(dir, {recursive: true, force: true})
  }
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((err: unknown) => {
    process.stderr.write(`bench/groups: ${(err as Error).stack ?? String(err)}\n`)
    killAll()
    process.exitCode = 1
  })
}

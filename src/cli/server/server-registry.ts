/**
 * The record of running `kts server start` processes that `kts server stop` reads (Kafka's
 * kafka-server-stop.sh finds its processes with `ps`; kts keeps one pid file per server process).
 *
 * Where: `$KTS_PID_DIR` if set, else `$XDG_RUNTIME_DIR/kts`, else `<os tmpdir>/kts-<uid>`; the
 * directory is created with mode 0700 and must belong to the current user. One file per process,
 * `server-<pid>.json` (a `ServerRecord`), written atomically when the node starts and removed when
 * the process exits. A file whose process is gone (SIGKILL, crash, reboot) or whose pid now belongs
 * to another process (on Linux the start time in /proc/<pid>/stat tells them apart) is stale: readers
 * skip and delete it. Per-process files let several nodes (any node ids, any configs) run at once.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'

/** What a server process records about itself. */
export interface ServerRecord {
  pid: number
  /** node.id of the node. */
  nodeId: number
  /** process.roles as configured, e.g. ['broker', 'controller']. */
  processRoles: string[]
  /** Absolute path of the server.properties it started from. */
  configFile: string
  /** True for `-daemon` starts. */
  daemon: boolean
  /** `LOG_DIR` of a daemon (kafkaServer.out, server.log), null for a foreground server. */
  logDir: string | null
  /** The listeners with their bound ports, e.g. `PLAINTEXT://localhost:9092,CONTROLLER://localhost:9093`. */
  listeners: string
  /** ISO 8601 time the node was up. */
  startedAt: string
  /** Field 22 of /proc/<pid>/stat (start time in clock ticks since boot) on Linux, else null. */
  procStartTime: string | null
}

/** The directory of the pid files (see the file comment). Does not create it. */
export function registryDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.KTS_PID_DIR) return path.resolve(env.KTS_PID_DIR)
  if (env.XDG_RUNTIME_DIR) return path.join(env.XDG_RUNTIME_DIR, 'kts')
  const uid = typeof process.getuid === 'function' ? process.getuid() : os.userInfo().username
  return path.join(os.tmpdir(), `kts-${uid}`)
}

/** Creates the registry directory (0700) if needed. @throws Error when it exists but belongs to someone else. */
function ensureDir(dir: string): void {
  fs.mkdirSync(dir, {recursive: true, mode: 0o700})
  const st = fs.statSync(dir)
  if (typeof process.getuid === 'function' && st.uid !== process.getuid()) {
    throw new Error(`${dir} (the kts server pid directory) belongs to another user; set KTS_PID_DIR to a directory of your own`)
  }
}

/** Start time of `pid` from /proc (Linux), or null when /proc is not there or the process is gone. */
function procStartTime(pid: number): string | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8')
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null
  } catch {
    return null
  }
}

/** State letter of /proc/<pid>/stat ('Z' = zombie: exited, not yet reaped), or null. */
function procState(pid: number): string | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8')
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3)
  } catch {
    return null
  }
}

/** True while the process of `rec` runs (exists, is not a zombie, and is the same process that wrote the record). */
export function isRunning(rec: Pick<ServerRecord, 'pid' | 'procStartTime'>): boolean {
  try {
    process.kill(rec.pid, 0)
  } catch {
    // ESRCH: gone. EPERM: the pid belongs to another user now, so not our server.
    return false
  }
  if (procState(rec.pid) === 'Z') return false
  if (rec.procStartTime !== null) {
    const now = procStartTime(rec.pid)
    if (now !== null && now !== rec.procStartTime) return false
  }
  return true
}

const FILE_RE = /^server-(\d+)\.json$/

/**
 * Records this process as a running server and returns the function that removes the record
 * (also run from a process 'exit' handler, so a normal exit never leaves the file behind).
 */
export function registerServer(rec: Omit<ServerRecord, 'pid' | 'procStartTime' | 'startedAt'>, env: NodeJS.ProcessEnv = process.env): () => void {
  const dir = registryDir(env)
  ensureDir(dir)
  runningServers(env) // drops the records of processes that died without removing theirs
  const full: ServerRecord = {pid: process.pid, ...rec, startedAt: new Date().toISOString(), procStartTime: procStartTime(process.pid)}
  const file = path.join(dir, `server-${process.pid}.json`)
  const tmp = `${file}.tmp`
  fs.writeFileSync(tmp, JSON.stringify(full, null, 2) + '\n', {mode: 0o600})
  fs.renameSync(tmp, file)
  let removed = false
  const remove = (): void => {
    if (removed) return
    removed = true
    process.off('exit', remove)
    fs.rmSync(file, {force: true})
  }
  process.on('exit', remove)
  return remove
}

/**
 * The servers that run now, oldest first. Stale records are deleted; unreadable files are skipped.
 */
export function runningServers(env: NodeJS.ProcessEnv = process.env): ServerRecord[] {
  const dir = registryDir(env)
  let names: string[]
  try {
    names = fs.readdirSync(dir)
  } catch {
    return []
  }
  const out: ServerRecord[] = []
  for (const name of names) {
    if (!FILE_RE.test(name)) continue
    const file = path.join(dir, name)
    let rec: ServerRecord
    try {
      rec = JSON.parse(fs.readFileSync(file, 'utf8')) as ServerRecord
    } catch {
      continue // being written, or not ours
    }
    if (typeof rec.pid !== 'number' || !isRunning(rec)) {
      fs.rmSync(file, {force: true})
      continue
    }
    out.push(rec)
  }
  return out.sort((a, b) => a.startedAt.localeCompare(b.startedAt) || a.pid - b.pid)
}

/** Deletes the record of `pid` (after it was killed). */
export function removeServerRecord(pid: number, env: NodeJS.ProcessEnv = process.env): void {
  fs.rmSync(path.join(registryDir(env), `server-${pid}.json`), {force: true})
}

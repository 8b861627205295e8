/**
 * `sasl.jaas.config` values as Kafka's `JaasConfig` parses them: one or more
 * `<LoginModuleClass> <required|requisite|sufficient|optional> key=value ... ;` entries, values
 * bare or double-quoted (`\` escapes the next character inside quotes).
 *
 *   org.apache.kafka.common.security.scram.ScramLoginModule required username="alice" password="alice-secret";
 *   org.apache.kafka.common.security.plain.PlainLoginModule required user_admin="admin-secret" user_alice="a";
 *
 * Errors never quote the option values (they are passwords).
 */

/** One login module entry. */
export interface JaasLoginModule {
  loginModule: string
  /** `required` | `requisite` | `sufficient` | `optional`. */
  controlFlag: string
  options: Record<string, string>
}

/** A malformed JAAS configuration value (message names the problem, never a value). */
export class JaasConfigError extends Error {
  override name = 'JaasConfigError'
}

const FLAGS = new Set(['required', 'requisite', 'sufficient', 'optional'])

type Token = {kind: 'word' | 'quoted' | 'eq' | 'semi', text: string}

function tokenize(text: string): Token[] {
  const out: Token[] = []
  let i = 0
  while (i < text.length) {
    const c = text[i]
    if (/\s/.test(c)) { i++; continue }
    if (c === '=') { out.push({kind: 'eq', text: c}); i++; continue }
    if (c === ';') { out.push({kind: 'semi', text: c}); i++; continue }
    if (c === '"') {
      let s = ''
      i++
      while (i < text.length && text[i] !== '"') {
        if (text[i] === '\\' && i + 1 < text.length) i++
        s += text[i++]
      }
      if (i >= text.length) throw new JaasConfigError('Value not specified for key: unterminated quoted string in JAAS config')
      i++
      out.push({kind: 'quoted', text: s})
      continue
    }
    let s = ''
    while (i < text.length && !/[\s=;"]/.test(text[i])) s += text[i++]
    out.push({kind: 'word', text: s})
  }
  return out
}

/** Parses a whole `sasl.jaas.config` value. @throws JaasConfigError */
export function parseJaasConfig(text: string): JaasLoginModule[] {
  const tokens = tokenize(text)
  const modules: JaasLoginModule[] = []
  let i = 0
  while (i < tokens.length) {
    const mod = tokens[i++]
    if (mod.kind !== 'word') throw new JaasConfigError('Invalid JAAS config: expected a login module class name')
    const flag = tokens[i++]
    if (!flag || flag.kind !== 'word' || !FLAGS.has(flag.text.toLowerCase())) {
      throw new JaasConfigError(`Invalid JAAS config: login module control flag not specified (${mod.text})`)
    }
    const options: Record<string, string> = {}
    for (;;) {
      const t = tokens[i++]
      if (t === undefined) throw new JaasConfigError('Invalid JAAS config: JAAS config entry not terminated by semi-colon')
      if (t.kind === 'semi') break
      if (t.kind !== 'word') throw new JaasConfigError('Invalid JAAS config: expected an option name')
      const eq = tokens[i++]
      const v = tokens[i++]
      if (eq?.kind !== 'eq' || v === undefined || (v.kind !== 'word' && v.kind !== 'quoted')) {
        throw new JaasConfigError(`Invalid JAAS config: value not specified for key '${t.text}'`)
      }
      options[t.text] = v.text
    }
    modules.push({loginModule: mod.text, controlFlag: flag.text.toLowerCase(), options})
  }
  if (modules.length === 0) throw new JaasConfigError('Invalid JAAS config: no login modules specified')
  return modules
}

/** Kafka's login modules for the mechanisms kts implements. */
export const PLAIN_LOGIN_MODULE = 'org.apache.kafka.common.security.plain.PlainLoginModule'
export const SCRAM_LOGIN_MODULE = 'org.apache.kafka.common.security.scram.ScramLoginModule'

/** `username` / `password` of the (single) login module of a client's `sasl.jaas.config`. @throws JaasConfigError */
export function clientCredentials(text: string): {username: string, password: string} {
  const [first] = parseJaasConfig(text)
  const username = first.options.username
  const password = first.options.password
  if (username === undefined || password === undefined) {
    throw new JaasConfigError(`Invalid JAAS config: ${first.loginModule} needs username and password options`)
  }
  return {username, password}
}

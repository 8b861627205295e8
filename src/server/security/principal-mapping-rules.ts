/**
 * `ssl.principal.mapping.rules` (KIP-371, Kafka's `SslPrincipalMapper`): a comma-separated list of
 * `RULE:<regex>/<replacement>/[L|U]` entries and `DEFAULT`, tried in order on the client
 * certificate's distinguished name; the first rule whose regex matches the whole DN gives the
 * principal name (`$1` groups, optional lower/upper case); `DEFAULT` yields the DN itself.
 * With no rule matching, Kafka fails the connection (`NoMatchingRule`).
 *
 * Also: the DN of a node:tls peer certificate in RFC 2253 form as Java's `X500Principal.getName()`
 * prints it (most specific RDN first: `CN=client,OU=eng,O=kts,C=US`).
 */

export class PrincipalMappingError extends Error {
  override name = 'PrincipalMappingError'
}

interface Rule {
  isDefault: boolean
  pattern?: RegExp
  replacement?: string
  toLowerCase?: boolean
  toUpperCase?: boolean
}

/** A parsed rule list; `apply(dn)` maps a DN to a principal name. */
export class PrincipalMappingRules {
  private constructor(private readonly rules: readonly Rule[]) {}

  /**
   * Parses the config value (`DEFAULT` when empty).
   * @throws PrincipalMappingError `Invalid rule: <text>`
   */
  static parse(text: string | undefined): PrincipalMappingRules {
    const value = (text ?? 'DEFAULT').trim()
    if (value === '') return new PrincipalMappingRules([{isDefault: true}])
    const rules: Rule[] = []
    const re = /\s*(?:(DEFAULT)|RULE:((?:\\.|[^\\/])*)\/((?:\\.|[^\\/])*)\/([LU]?)[^,]*?)\s*(?:,|$)/y
    let pos = 0
    while (pos < value.length) {
      re.lastIndex = pos
      const m = re.exec(value)
      if (!m || m[0].length === 0) throw new PrincipalMappingError(`Invalid rule: ${value.slice(pos)}`)
      pos = re.lastIndex
      if (m[1]) rules.push({isDefault: true})
      else {
        let pattern: RegExp
        try {
          pattern = new RegExp(`^(?:${m[2]})$`)
        } catch {
          throw new PrincipalMappingError(`Invalid rule: ${m[0].trim()}`)
        }
        rules.push({isDefault: false, pattern, replacement: m[3].replace(/\\(.)/g, '$1'), toLowerCase: m[4] === 'L', toUpperCase: m[4] === 'U'})
      }
    }
    return new PrincipalMappingRules(rules)
  }

  /** The principal name for `dn`. @throws PrincipalMappingError when no rule matches. */
  apply(dn: string): string {
    for (const r of this.rules) {
      if (r.isDefault) return dn
      if (!r.pattern!.test(dn)) continue
      let out = dn.replace(new RegExp(r.pattern!.source, 'g'), r.replacement!)
      if (r.toLowerCase) out = out.toLowerCase()
      else if (r.toUpperCase) out = out.toUpperCase()
      return out
    }
    throw new PrincipalMappingError(`No rules apply to ${dn}, rules ${this.rules.map((r) => (r.isDefault ? 'DEFAULT' : `RULE:${r.pattern!.source}`)).join(',')}`)
  }
}

/** RFC 2253 escaping of one attribute value. */
function escapeValue(v: string): string {
  let out = v.replace(/([,+"\\<>;])/g, '\\$1')
  if (out.startsWith('#') || out.startsWith(' ')) out = `\\${out}`
  if (out.endsWith(' ') && !out.endsWith('\\ ')) out = `${out.slice(0, -1)}\\ `
  return out
}

/**
 * The RFC 2253 DN of a node `X509Certificate.subject` (`C=US\nO=kts\nCN=client`, ASN.1 order):
 * RDNs reversed and comma-joined (`CN=client,O=kts,C=US`).
 */
export function rfc2253Name(subject: string): string {
  return subject.split('\n').filter((s) => s.length > 0).reverse().map((rdn) => {
    const i = rdn.indexOf('=')
    return i < 0 ? rdn : `${rdn.slice(0, i)}=${escapeValue(rdn.slice(i + 1))}`
  }).join(',')
}

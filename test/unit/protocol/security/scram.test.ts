import assert from 'node:assert/strict'
import {
  authMessage, clientProof, formatClientFinalWithoutProof, generateCredential, parseClientFinal, parseClientFirst, parseServerFirst,
  saltedPassword, saslName, SCRAM_SHA_256, SCRAM_SHA_512, serverKey, serverSignature, usernameOf, verifyClientProof, credentialFromSaltedPassword,
} from '../../../../src/protocol/security/scram.js'
import {ScramServer} from '../../../../src/server/security/scram-server.js'
import {SaslAuthenticationFailure} from '../../../../src/server/security/sasl-mechanism-server.js'

// RFC 7677 §3: SCRAM-SHA-256 with user "user", password "pencil".
const CLIENT_FIRST = 'n,,n=user,r=rOprNGfwEbeRWgbNEkqO'
const SERVER_FIRST = 'r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096'
const CLIENT_FINAL = 'c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ='
const SERVER_FINAL = 'v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4='

describe('SCRAM (RFC 5802 / RFC 7677)', () => {
  it('computes the RFC 7677 SCRAM-SHA-256 test vector: client proof, server signature, and the server verifies the proof', async () => {
    const first = parseClientFirst(CLIENT_FIRST)
    const sf = parseServerFirst(SERVER_FIRST)
    const salted = await saltedPassword(SCRAM_SHA_256, 'pencil', sf.salt, sf.iterations)
    const withoutProof = formatClientFinalWithoutProof('n,,', sf.nonce)
    const auth = authMessage(first.bare, SERVER_FIRST, withoutProof)
    assert.equal(`${withoutProof},p=${clientProof(SCRAM_SHA_256, salted, auth).toString('base64')}`, CLIENT_FINAL)
    assert.equal(`v=${serverSignature(SCRAM_SHA_256, serverKey(SCRAM_SHA_256, salted), auth).toString('base64')}`, SERVER_FINAL)
    const cred = credentialFromSaltedPassword(SCRAM_SHA_256, sf.salt, salted, 4096)
    assert.equal(verifyClientProof(SCRAM_SHA_256, cred, auth, parseClientFinal(CLIENT_FINAL).proof), true)
    assert.equal(verifyClientProof(SCRAM_SHA_256, cred, auth, Buffer.alloc(32)), false)
  })

  it('escapes user names (=2C, =3D) and parses messages; malformed ones throw', () => {
    assert.equal(saslName('a,b=c'), 'a=2Cb=3Dc')
    assert.equal(usernameOf('a=2Cb=3Dc'), 'a,b=c')
    assert.throws(() => usernameOf('a=xx'))
    assert.throws(() => parseClientFirst('n,,n=user'), /client first message/)
    assert.throws(() => parseClientFirst('p=tls-unique,,n=user,r=abc'), /client first message/)
    assert.throws(() => parseClientFinal('c=biws,r=abc'), /client final message/)
    assert.deepEqual(parseClientFirst('n,a=user,n=user,r=abc,tokenauth=true').extensions, {tokenauth: 'true'})
  })

  describe('ScramServer', () => {
    async function server(): Promise<{s: ScramServer, m: typeof SCRAM_SHA_512}> {
      const cred = await generateCredential(SCRAM_SHA_512, 'secret', 4096)
      return {s: new ScramServer(SCRAM_SHA_512, (m, user) => (user === 'alice' && m === SCRAM_SHA_512 ? cred : undefined)), m: SCRAM_SHA_512}
    }
    async function clientFinal(serverFirstText: string, password: string, clientNonce: string, nonceOverride?: string): Promise<string> {
      const sf = parseServerFirst(serverFirstText)
      const salted = await saltedPassword(SCRAM_SHA_512, password, sf.salt, sf.iterations)
      const withoutProof = formatClientFinalWithoutProof('n,,', nonceOverride ?? sf.nonce)
      const auth = authMessage(`n=alice,r=${clientNonce}`, serverFirstText, withoutProof)
      return `${withoutProof},p=${clientProof(SCRAM_SHA_512, salted, auth).toString('base64')}`
    }

    it('authenticates alice and returns the server signature', async () => {
      const {s} = await server()
      const sf = (await s.evaluate(Buffer.from('n,,n=alice,r=abc123'))).toString()
      assert.match(sf, /^r=abc123[^,]+,s=[^,]+,i=4096$/)
      const out = (await s.evaluate(Buffer.from(await clientFinal(sf, 'secret', 'abc123')))).toString()
      assert.match(out, /^v=/)
      assert.equal(s.complete, true)
      assert.equal(s.authorizationId, 'alice')
    })

    it('fails on a wrong proof, an unknown user, a mismatched (replayed) nonce, no nonce, and a second exchange', async () => {
      const failure = (p: Promise<unknown>) => assert.rejects(p, SaslAuthenticationFailure)
      let {s} = await server()
      let sf = (await s.evaluate(Buffer.from('n,,n=alice,r=abc123'))).toString()
      await failure(s.evaluate(Buffer.from(await clientFinal(sf, 'wrong', 'abc123'))))
      ;({s} = await server())
      await failure(s.evaluate(Buffer.from('n,,n=mallory,r=abc123')))
      ;({s} = await server())
      await failure(s.evaluate(Buffer.from('n,,n=alice')))
      // A client-final captured from another exchange carries that exchange's server nonce.
      const first = await server()
      const sf1 = (await first.s.evaluate(Buffer.from('n,,n=alice,r=abc123'))).toString()
      const captured = await clientFinal(sf1, 'secret', 'abc123')
      ;({s} = await server())
      sf = (await s.evaluate(Buffer.from('n,,n=alice,r=abc123'))).toString()
      await assert.rejects(s.evaluate(Buffer.from(captured)), /Invalid client nonce/)
      await failure(s.evaluate(Buffer.from('anything')))
    })
  })
})

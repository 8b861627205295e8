import assert from 'node:assert/strict'
import {javaFixed, simpleDateFormat} from '../../../../src/cli/perf/java-format.js'

describe('perf tools: Java number and date formatting', () => {
  it('javaFixed rounds the shortest decimal HALF_UP, as String.format("%.nf")', () => {
    const cases: Array<[number, number, string]> = [
      [0.125, 2, '0.13'], [1.005, 2, '1.01'], [0.15, 1, '0.2'], [2.5, 0, '3'], [-2.5, 0, '-3'], [-0.001, 1, '-0.0'],
      [0, 4, '0.0000'], [9.999, 2, '10.00'], [0.0005, 3, '0.001'], [0.0004, 3, '0.000'], [49975, 1, '49975.0'],
      [95.367431640625, 4, '95.3674'], [1 / 3, 4, '0.3333'], [1e-10, 4, '0.0000'], [1e21, 1, '1000000000000000000000.0'],
      [NaN, 4, 'NaN'], [Infinity, 1, 'Infinity'], [-Infinity, 2, '-Infinity'],
    ]
    for (const [x, d, want] of cases) assert.equal(javaFixed(x, d), want, `${x} %.${d}f`)
  })

  it('simpleDateFormat: the default pattern, text fields, quotes; bad letters as Java', () => {
    const ms = new Date(2024, 9, 25, 7, 5, 3, 9).getTime() // local time, as SimpleDateFormat
    assert.equal(simpleDateFormat('yyyy-MM-dd HH:mm:ss:SSS')(ms), '2024-10-25 07:05:03:009')
    assert.equal(simpleDateFormat("EEE, MMM d, ''yy h:mm a 'at' D")(ms), "Fri, Oct 25, '24 7:05 AM at 299")
    assert.equal(simpleDateFormat('EEEE MMMM S k K')(ms), 'Friday October 9 7 7')
    assert.throws(() => simpleDateFormat('yyyy-qq'), /^DatePatternError: Illegal pattern character 'q'$/)
    assert.throws(() => simpleDateFormat("yyyy 'oops"), /Unterminated quote/)
  })
})

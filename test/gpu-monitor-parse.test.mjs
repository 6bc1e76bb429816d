// The CSV line of nvidia-smi -> gpu.utilization details: numbers as numbers,
// unavailable readings as null, anything else refused (never thrown).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { parseGpuLine, nvidiaSmiArgs, QUERY_FIELDS } from '../dist/gpu-monitor/parse.js'

const H100 = '0, GPU-9e3779b1-79b1-3779-9e37-0000c5e69024, NVIDIA H100 80GB HBM3, 7, 3, 98, 81559, 31, 81.37'

test('a sample line gives every field with its type', () => {
  assert.deepEqual(parseGpuLine(H100), {
    gpu_index: 0,
    gpu_uuid: 'GPU-9e3779b1-79b1-3779-9e37-0000c5e69024',
    name: 'NVIDIA H100 80GB HBM3',
    gpu_util_percent: 7,
    mem_util_percent: 3,
    mem_used_mb: 98,
    mem_total_mb: 81559,
    temperature_c: 31,
    power_w: 81.37
  })
})

test('readings the driver cannot give are null, whatever the spelling', () => {
  for (const unavailable of ['[N/A]', '[Not Supported]', '[Unknown Error]', '[Insufficient Permissions]', '[GPU is lost]', 'N/A', 'ERR!']) {
    const details = parseGpuLine(`3, GPU-abc, NVIDIA A100-SXM4-40GB, ${unavailable}, [N/A], 2098, 40960, ${unavailable}, ${unavailable}`)
    assert.ok(details !== null, unavailable)
    assert.equal(details.gpu_util_percent, null)
    assert.equal(details.mem_util_percent, null)
    assert.equal(details.temperature_c, null)
    assert.equal(details.power_w, null)
    assert.equal(details.mem_used_mb, 2098)
    assert.equal(details.mem_total_mb, 40960)
  }
})

test('a comma in the GPU name stays in the name', () => {
  const details = parseGpuLine('1, GPU-x, Tesla V100, SXM2, 32GB, 50, 20, 100, 32768, 40, 250.5')
  assert.equal(details?.name, 'Tesla V100, SXM2, 32GB')
  assert.equal(details?.gpu_util_percent, 50)
  assert.equal(details?.power_w, 250.5)
})

test('spacing and a CR line end do not matter', () => {
  assert.deepEqual(parseGpuLine('0,GPU-a,H100,1,2,3,4,5,6.5\r'), parseGpuLine('0 , GPU-a , H100 , 1 , 2 , 3 , 4 , 5 , 6.5'))
})

test('lines that are not a sample are refused', () => {
  for (const line of [
    '',
    'Unable to determine the device handle for GPU 0000:41:00.0: Unknown Error',
    "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver.",
    'No devices were found',
    '0, GPU-a, H100, 1, 2, 3, 4, 5', // a column short
    '0, GPU-a, H100, 1, 2, 3, 4, 5, 70.1x', // not a number
    '0, GPU-a, H100, 1, 2, 3, 4, 5, 1e3', // nvidia-smi never prints exponents
    'x, GPU-a, H100, 1, 2, 3, 4, 5, 6', // index not a number
    '0, , H100, 1, 2, 3, 4, 5, 6', // no uuid
    '0, GPU-a, , 1, 2, 3, 4, 5, 6', // no name
    'index, uuid, name, utilization.gpu [%], utilization.memory [%], memory.used [MiB], memory.total [MiB], temperature.gpu, power.draw [W]'
  ]) {
    assert.equal(parseGpuLine(line), null, line)
  }
})

test('the query asks for the nine columns, streaming only with an interval', () => {
  assert.equal(QUERY_FIELDS.length, 9)
  assert.deepEqual(nvidiaSmiArgs(50), [`--query-gpu=${QUERY_FIELDS.join(',')}`, '--format=csv,noheader,nounits', '-lms', '50'])
  assert.deepEqual(nvidiaSmiArgs(null), [`--query-gpu=${QUERY_FIELDS.join(',')}`, '--format=csv,noheader,nounits'])
})

const reading = fc.oneof(
  fc.integer({ min: 0, max: 100_000 }).map((n) => ({ text: String(n), value: n })),
  fc.tuple(fc.integer({ min: 0, max: 999 }), fc.integer({ min: 0, max: 99 }))
    .map(([w, c]) => ({ text: `${w}.${String(c).padStart(2, '0')}`, value: Number(`${w}.${String(c).padStart(2, '0')}`) })),
  fc.constantFrom('[N/A]', '[Not Supported]', '[Unknown Error]', 'N/A').map((text) => ({ text, value: null }))
)
const nameText = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9 ,.-]{0,40}[A-Za-z0-9]$/)

test('property: any line nvidia-smi could print parses back to its values', () => {
  fc.assert(fc.property(
    fc.nat(64), fc.uuid(), nameText, fc.array(reading, { minLength: 6, maxLength: 6 }),
    (index, uuid, name, readings) => {
      const line = [String(index), `GPU-${uuid}`, name, ...readings.map((r) => r.text)].join(', ')
      const details = parseGpuLine(line)
      assert.ok(details !== null, line)
      assert.equal(details.gpu_index, index)
      assert.equal(details.gpu_uuid, `GPU-${uuid}`)
      assert.equal(details.name, name)
      assert.deepEqual(
        [details.gpu_util_percent, details.mem_util_percent, details.mem_used_mb, details.mem_total_mb, details.temperature_c, details.power_w],
        readings.map((r) => r.value)
      )
    }
  ), { numRuns: 2000 })
})

test('property: any text at all gives details or null, never a throw or a non-number reading', () => {
  fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (line) => {
    const details = parseGpuLine(line)
    if (details === null) return
    assert.equal(Number.isInteger(details.gpu_index), true)
    for (const key of ['gpu_util_percent', 'mem_util_percent', 'mem_used_mb', 'mem_total_mb', 'temperature_c', 'power_w']) {
      assert.ok(details[key] === null || Number.isFinite(details[key]), key)
    }
  }), { numRuns: 2000 })
})
